/**
 * Server-sent events of job life-cycle events, read from an `EventLog` (the store's shared
 * stream: the jobs of every process). Bounded on every side: at most `maxStreams` streams at
 * once (503 with `Retry-After` beyond), and at most `bufferLimit` live events waiting for one
 * client: a client that falls further behind is dropped, and resumes with `Last-Event-ID`. A
 * resume reads what the log holds after that id a page at a time, at the client's pace, then
 * goes on live; when the log no longer holds the id, the stream starts with a `reset` event
 * (re-read the state) and goes on live. Comment lines keep idle streams alive.
 *
 * @module
 */
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { ApiError } from "./errors.ts";
import {
  compareEventIds,
  type EventLog,
  isEventId,
  type LoggedEvent,
  STREAM_EVENT_TYPES,
} from "./event_log.ts";

export { STREAM_EVENT_TYPES };

/** Events read from the log per page of a resume. */
const RESUME_PAGE = 500;

/** What one stream carries. */
export interface StreamFilter {
  /** Event types (default: all). */
  types: readonly LoggedEvent["type"][];
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
      const write = async (logged: LoggedEvent) => {
        const shown = filter.view ? filter.view(logged) : logged;
        if (!shown) return;
        await stream.writeSSE({
          event: shown.type,
          id: shown.id,
          data: JSON.stringify(shown.event),
        });
      };
      // listen first: the log says after which id the listener gets everything
      const live = await this.#log.follow(take);
      stream.onAbort(nudge);
      try {
        await this.#resume(stream, filter, live.after, async (e) => {
          if (wanted(e)) await write(e);
        });
        while (!stream.aborted) {
          if (pending.length === 0) {
            const timer = setTimeout(nudge, this.#options.keepAliveMs);
            await new Promise<void>((resolve) => wake = resolve);
            clearTimeout(timer);
            if (pending.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
          }
          for (const logged of pending.splice(0)) {
            if (stream.aborted) break;
            await write(logged);
          }
        }
      } finally {
        live.stop();
        this.#open.delete(entry);
      }
    });
  }

  /**
   * Opens a stream: `reset` when the log no longer holds `lastId`, then `ready`, then the held
   * events after `lastId` up to `upTo` (where the live listener begins), a page at a time.
   */
  async #resume(
    stream: SSEStreamingApi,
    filter: StreamFilter,
    upTo: string,
    send: (event: LoggedEvent) => Promise<void>,
  ): Promise<void> {
    const lastId = filter.lastEventId;
    const ready = () =>
      stream.writeSSE({ event: "ready", data: JSON.stringify({ types: filter.types }) });
    const known = lastId !== undefined && isEventId(lastId);
    if (lastId === undefined || (known && compareEventIds(lastId, upTo) >= 0)) return await ready();
    let page = known ? await this.#log.page(lastId, RESUME_PAGE) : null;
    if (page === null || page.gap) {
      await stream.writeSSE({
        event: "reset",
        data: JSON.stringify({ reason: "events since the given Last-Event-ID are not held" }),
      });
      return await ready();
    }
    await ready();
    for (;;) {
      for (const event of page.events) {
        if (stream.aborted || compareEventIds(event.id, upTo) > 0) return;
        await send(event);
      }
      if (page.events.length < RESUME_PAGE) return;
      page = await this.#log.page(page.last, RESUME_PAGE);
    }
  }

  /** Ends every open stream. */
  close(): void {
    for (const entry of [...this.#open]) entry.stop();
  }
}
