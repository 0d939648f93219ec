/**
 * Server-sent events of job life-cycle events. Each stream subscribes to the engine's events,
 * buffers what the client has not read yet (bounded: on overflow the oldest are dropped and an
 * `overflow` event says how many), and sends a comment line as a keep-alive.
 *
 * The events are those of this process: in `sluice start` (gateway, worker and leader in one
 * process) that is every job event; a gateway running alone sees only the jobs it enqueues or
 * cancels, until a store-level event stream exists.
 *
 * @module
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Engine } from "../engine.ts";
import type { JobEvents, JobEventType } from "../job/events.ts";

/** Every event type a stream can carry. */
export const STREAM_EVENT_TYPES: readonly JobEventType[] = [
  "enqueued",
  "active",
  "completed",
  "failed",
  "cancelled",
  "lease-lost",
  "progress",
];

/** What one stream carries. */
export interface StreamFilter {
  /** Event types (default: all). */
  types: readonly JobEventType[];
  /** Only events of this queue. */
  queue?: string | undefined;
}

/** Options of the streams. */
export interface StreamOptions {
  /** Keep-alive interval (ms). */
  keepAliveMs: number;
  /** Events buffered per client at most. */
  bufferLimit: number;
}

interface Pending {
  type: JobEventType;
  event: JobEvents[JobEventType];
}

/** The open event streams of a gateway. */
export class EventStreams {
  #engine: Engine;
  #options: StreamOptions;
  #open = new Set<() => void>();
  #seq = 0;

  /** Streams of `engine`'s events. */
  constructor(engine: Engine, options: StreamOptions) {
    this.#engine = engine;
    this.#options = options;
  }

  /** How many streams are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Answers `c` with a stream of the events `filter` selects. */
  respond(c: Context, filter: StreamFilter): Response {
    return streamSSE(c, async (stream) => {
      const pending: Pending[] = [];
      let dropped = 0;
      let wake: (() => void) | null = null;
      const nudge = () => {
        wake?.();
        wake = null;
      };
      const offs = filter.types.map((type) =>
        this.#engine.on(type, (event: JobEvents[JobEventType]) => {
          if (filter.queue !== undefined && event.queue !== filter.queue) return;
          if (pending.length >= this.#options.bufferLimit) {
            pending.shift();
            dropped++;
          }
          pending.push({ type, event });
          nudge();
        })
      );
      const end = () => stream.abort();
      this.#open.add(end);
      stream.onAbort(nudge);
      try {
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ types: filter.types }) });
        while (!stream.aborted) {
          if (pending.length === 0) {
            const timer = setTimeout(nudge, this.#options.keepAliveMs);
            await new Promise<void>((resolve) => wake = resolve);
            clearTimeout(timer);
            if (pending.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
          }
          if (dropped > 0) {
            await stream.writeSSE({ event: "overflow", data: JSON.stringify({ dropped }) });
            dropped = 0;
          }
          for (const { type, event } of pending.splice(0)) {
            await stream.writeSSE({
              event: type,
              id: String(++this.#seq),
              data: JSON.stringify(event),
            });
          }
        }
      } finally {
        for (const off of offs) off();
        this.#open.delete(end);
      }
    });
  }

  /** Ends every open stream. */
  close(): void {
    for (const end of [...this.#open]) end();
  }
}
