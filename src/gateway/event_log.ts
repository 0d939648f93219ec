/**
 * Where the event stream's events come from, and how far back a reconnecting client can resume
 * (`Last-Event-ID`): the `EventLog` interface, and `StoreEventLog`, the store's shared stream of
 * job events, which every process's store calls write. A client therefore sees the jobs of every
 * worker, and resumes from any event the store still holds (its `events` option caps the stream).
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import type { EventBatch, StoredEvent, StoredEventType } from "../store/observations.ts";

/** Every event type a stream can carry: those the store records. */
export const STREAM_EVENT_TYPES: readonly StoredEventType[] = [
  "enqueued",
  "active",
  "completed",
  "failed",
  "cancelled",
  "requeued",
  "progress",
];

/** One event of the log; its id is what a client sends back as `Last-Event-ID`. */
export type LoggedEvent = StoredEvent;

/** A live listener of the log. */
export interface LogSubscription {
  /** The listener gets every event after this id (a stored event id, or "0"). */
  after: string;
  /** Stops it. */
  stop(): void;
}

/** A log of job events that streams read from. */
export interface EventLog {
  /**
   * Calls `listener` with every new event; resolves once it listens, saying after which event
   * id it gets them all (so a resume reads the older ones up to there, no gap, no repeat).
   */
  follow(listener: (event: LoggedEvent) => void): Promise<LogSubscription>;
  /**
   * The events after `after`, oldest first, at most `limit`; `gap` is true when the log no
   * longer holds `after`, so events may have been missed.
   */
  page(after: string, limit: number): Promise<EventBatch>;
}

/** The store's shared event stream, read through the engine's one live reader. */
export class StoreEventLog implements EventLog {
  #engine: Engine;

  /** The events of `engine`'s store. */
  constructor(engine: Engine) {
    this.#engine = engine;
  }

  follow(listener: (event: LoggedEvent) => void): Promise<LogSubscription> {
    return this.#engine.followEvents(listener);
  }

  page(after: string, limit: number): Promise<EventBatch> {
    return this.#engine.readEvents({ after, limit });
  }
}

const EVENT_ID = /^(\d+)-(\d+)\/(\d+)$/;

/** True for a stored event id (`<ms>-<seq>/<index>`) or "0" (before every event). */
export function isEventId(text: string): boolean {
  return text === "0" || EVENT_ID.test(text);
}

/** Orders two event ids (`isEventId`): negative when `a` comes first, 0 when equal. */
export function compareEventIds(a: string, b: string): number {
  const parts = (id: string): number[] => {
    const match = EVENT_ID.exec(id);
    return match ? match.slice(1).map(Number) : [-1, -1, -1];
  };
  const [x, y] = [parts(a), parts(b)];
  return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
}
