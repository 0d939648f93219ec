/**
 * `engine.events()`: the job events of every process as an async iterator, live from the
 * engine's one feed reader, or from a stored event id on through the store's stream.
 *
 * @module
 */
import type { EventFeed } from "../events/event_feed.ts";
import type { StoredEvent } from "../store/observations.ts";
import type { Store } from "../store/store.ts";

/** Where the iterator reads, and when it ends. */
export interface EventSource {
  /** The engine's shared feed (live events). */
  feed: EventFeed;
  /** The store (events from an id on). */
  store: Store;
  /** True once the engine closed. */
  closed(): boolean;
}

/**
 * The events after `from` (default: from now on), until `signal` aborts, the engine closes or the
 * loop breaks.
 */
export async function* iterateEvents(
  source: EventSource,
  options: { from?: string; signal?: AbortSignal },
): AsyncGenerator<StoredEvent, void, undefined> {
  const { signal } = options;
  const going = () => !signal?.aborted && !source.closed();
  if (options.from === undefined) {
    const queue: StoredEvent[] = [];
    const arrived = { wake: () => {} };
    const stop = await source.feed.subscribe((event) => {
      queue.push(event);
      arrived.wake();
    });
    try {
      while (going()) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            arrived.wake = resolve;
            signal?.addEventListener("abort", () => resolve(), { once: true });
          });
        }
        while (queue.length > 0) yield queue.shift()!;
      }
    } finally {
      stop();
    }
    return;
  }
  let after = options.from;
  while (going()) {
    const batch = await source.store.readEvents({
      after,
      waitMs: 1_000,
      ...(signal ? { signal } : {}),
    });
    for (const event of batch.events) yield event;
    after = batch.last;
  }
}
