/**
 * One reader of the store's shared event stream per engine, fanned out to every subscriber in
 * the process (streams, result waits): the reader runs while someone listens, one waiting read
 * at a time, from the newest event on.
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { StoredEvent } from "../store/observations.ts";
import type { Store } from "../store/store.ts";

/** How long one waiting read of the feed lasts (ms); the loop reads again after it. */
const READ_WAIT_MS = 1_000;

/** A subscription to the feed. */
export interface FeedSubscription {
  /** The id after which the listener gets every event (a store event id, or "0"). */
  after: string;
  /** Stops the listener. */
  stop(): void;
}

/** A live feed of the store's events. */
export class EventFeed {
  #store: Store;
  #logger: Logger;
  #listeners = new Set<(event: StoredEvent) => void>();
  #gapListeners = new Set<() => void>();
  #reading: Promise<void> | null = null;
  #stop = new AbortController();
  #started: Promise<void> | null = null;
  /** The id of the newest event delivered (or where the reader began); null while it starts. */
  #last: string | null = null;

  /** Reads `store`'s events; logs read failures to `logger`. */
  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * Calls `listener` with every event recorded from now on; resolves (to the function that
   * unsubscribes) once the feed reads, so nothing recorded after that is missed. `onGap` is
   * called when the feed fell so far behind that the stream dropped events it had not read.
   */
  async subscribe(
    listener: (event: StoredEvent) => void,
    onGap?: () => void,
  ): Promise<() => void> {
    if (onGap) this.#gapListeners.add(onGap);
    const { stop } = await this.follow(listener);
    return () => {
      stop();
      if (onGap) this.#gapListeners.delete(onGap);
    };
  }

  /**
   * As `subscribe`, and says from where: the listener gets every event after `after`, so a
   * reader of older events (a resuming client) can read up to `after` and miss nothing.
   */
  async follow(listener: (event: StoredEvent) => void): Promise<FeedSubscription> {
    this.#listeners.add(listener);
    // events are delivered and `#last` moved in one turn: from here on the listener gets all
    let after = this.#reading ? this.#last : null;
    if (!this.#reading) {
      const started = Promise.withResolvers<void>();
      this.#started = started.promise;
      this.#last = null;
      this.#reading = this.#read(started.resolve).finally(() => this.#reading = null);
    }
    await this.#started;
    after ??= this.#last ?? "0";
    return { after, stop: () => this.#listeners.delete(listener) };
  }

  /** Stops reading. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#reading;
  }

  async #read(started: () => void): Promise<void> {
    const signal = this.#stop.signal;
    let delay = 100;
    while (this.#listeners.size > 0 && !signal.aborted) {
      try {
        if (this.#last === null) {
          this.#last = (await this.#store.readEvents()).last;
          started();
        }
        const batch = await this.#store.readEvents({
          after: this.#last,
          waitMs: READ_WAIT_MS,
          signal,
        });
        if (batch.gap) { for (const gap of this.#gapListeners) gap(); }
        for (const event of batch.events) {
          for (const listener of this.#listeners) listener(event);
        }
        this.#last = batch.last;
        delay = 100;
      } catch (error) {
        this.#logger.warn("reading the event stream failed; retrying", { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
    started();
  }
}
