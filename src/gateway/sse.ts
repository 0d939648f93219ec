/**
 * Server-sent events of job life-cycle events, read from an `EventLog`. Bounded on every side:
 * at most `maxStreams` streams at once (503 with `Retry-After` beyond), and at most `bufferLimit`
 * events waiting for one client: a client that falls further behind is dropped, and resumes
 * with `Last-Event-ID` from what the log still holds. A resume the log cannot serve in full
 * starts with a `reset` event (re-read the state). Comment lines keep idle streams alive.
 *
 * With the in-process `MemoryEventLog`, the events are those of this process: in `sluice start`
 * (gateway, worker and leader in one process) every job event; a gateway running alone sees only
 * the jobs it enqueues or cancels, until a store-level event log exists.
 *
 * @module
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { JobEventType } from "../job/events.ts";
import { ApiError } from "./errors.ts";
import { type EventLog, type LoggedEvent, STREAM_EVENT_TYPES } from "./event_log.ts";

export { STREAM_EVENT_TYPES };

/** What one stream carries. */
export interface StreamFilter {
  /** Event types (default: all). */
  types: readonly JobEventType[];
  /** Only events of this queue. */
  queue?: string | undefined;
  /** Resume after this event id (the `Last-Event-ID` header). */
  lastEventId?: string | undefined;
  /** Changes an event before it is sent (e.g. drops stack traces), or null to skip it. */
  view?: (event: LoggedEvent) => LoggedEvent | null;
}

/** Options of the streams. */
export interface StreamOptions {
  /** Keep-alive interval (ms). */
  keepAliveMs: number;
  /** Events waiting for one client at most; beyond, the client is dropped. */
  bufferLimit: number;
  /** Streams open at once at most. */
  maxStreams: number;
}

/** The open event streams of a gateway. */
export class EventStreams {
  #log: EventLog;
  #options: StreamOptions;
  #open = new Set<{ stop: () => void }>();

  /** Streams of the events of `log`. */
  constructor(log: EventLog, options: StreamOptions) {
    this.#log = log;
    this.#options = options;
  }

  /** How many streams are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Answers `c` with a stream of the events `filter` selects; throws a 503 when full. */
  respond(c: Context, filter: StreamFilter): Response {
    if (this.#open.size >= this.#options.maxStreams) {
      throw new ApiError(
        503,
        "TOO_MANY_STREAMS",
        `${this.#options.maxStreams} event streams are open already, the most this gateway serves`,
      );
    }
    const entry = { stop: () => {} }; // counted from now, so a burst cannot pass the cap
    this.#open.add(entry);
    return streamSSE(c, async (stream) => {
      entry.stop = () => stream.abort();
      const pending: LoggedEvent[] = [];
      let overflowed = false;
      let wake: (() => void) | null = null;
      const nudge = () => {
        wake?.();
        wake = null;
      };
      const wanted = (e: LoggedEvent) =>
        filter.types.includes(e.type) &&
        (filter.queue === undefined || e.event.queue === filter.queue);
      const take = (e: LoggedEvent) => {
        if (!wanted(e) || overflowed) return;
        if (pending.length >= this.#options.bufferLimit) {
          overflowed = true; // a client this slow is dropped; it resumes with Last-Event-ID
          stream.abort();
        } else {
          pending.push(e);
        }
        nudge();
      };
      // subscribe and read the backlog in one turn, so nothing falls in between
      const off = this.#log.subscribe(take);
      const backlog = filter.lastEventId ? this.#log.since(filter.lastEventId) : [];
      stream.onAbort(nudge);
      try {
        if (backlog === null) {
          await stream.writeSSE({
            event: "reset",
            data: JSON.stringify({ reason: "events since the given Last-Event-ID are not held" }),
          });
        } else {
          pending.unshift(...backlog.filter(wanted));
        }
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ types: filter.types }) });
        while (!stream.aborted) {
          if (pending.length === 0) {
            const timer = setTimeout(nudge, this.#options.keepAliveMs);
            await new Promise<void>((resolve) => wake = resolve);
            clearTimeout(timer);
            if (pending.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
          }
          for (const logged of pending.splice(0)) {
            if (stream.aborted) break;
            const shown = filter.view ? filter.view(logged) : logged;
            if (!shown) continue;
            await stream.writeSSE({
              event: shown.type,
              id: shown.id,
              data: JSON.stringify(shown.event),
            });
          }
        }
      } finally {
        off();
        this.#open.delete(entry);
      }
    });
  }

  /** Ends every open stream. */
  close(): void {
    for (const entry of [...this.#open]) entry.stop();
  }
}
