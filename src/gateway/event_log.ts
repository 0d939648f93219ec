/**
 * Where the event stream's events come from, and how far back a reconnecting client can resume
 * (`Last-Event-ID`): the `EventLog` interface, and `MemoryEventLog`, a ring of the recent job
 * events of this process. A store-level log (every process's events, e.g. a Redis stream) can
 * take its place behind the same interface.
 *
 * @module
 */
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

/** One event of the log, with its id (what a client sends back as `Last-Event-ID`). */
export interface LoggedEvent {
  /** Its id, unique within the log, growing. */
  id: string;
  /** Its type. */
  type: JobEventType;
  /** The event. */
  event: JobEvents[JobEventType];
}

/** A log of job events that streams read from. */
export interface EventLog {
  /**
   * The events after the one with id `lastId`, oldest first; null when the log no longer holds
   * (or never held) that id, so the client may have missed events.
   */
  since(lastId: string): LoggedEvent[] | null;
  /** Calls `listener` with every new event; returns the function that stops it. */
  subscribe(listener: (event: LoggedEvent) => void): () => void;
  /** Stops recording. */
  close(): void;
}

/**
 * The recent job events of one engine, in a ring of `capacity` events. Ids are `<boot>-<seq>`:
 * an id of another gateway process (before a restart) reads as a gap.
 */
export class MemoryEventLog implements EventLog {
  #ring: LoggedEvent[] = [];
  #capacity: number;
  #boot = crypto.randomUUID().slice(0, 8);
  #seq = 0;
  #listeners = new Set<(event: LoggedEvent) => void>();
  #unsubscribe: (() => void)[];

  /** Records `engine`'s stream events, keeping the newest `capacity` (at least 1). */
  constructor(engine: Engine, capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#unsubscribe = STREAM_EVENT_TYPES.map((type) =>
      engine.on(type, (event: JobEvents[JobEventType]) => this.#record(type, event))
    );
  }

  since(lastId: string): LoggedEvent[] | null {
    const match = /^([0-9a-f]{8})-(\d+)$/.exec(lastId);
    if (!match || match[1] !== this.#boot) return null;
    const last = Number(match[2]);
    const oldest = this.#ring.length ? this.#seqOf(this.#ring[0]!) : this.#seq + 1;
    if (last > this.#seq || last < oldest - 1) return null;
    return this.#ring.slice(this.#ring.length - (this.#seq - last));
  }

  subscribe(listener: (event: LoggedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#listeners.clear();
  }

  #seqOf(event: LoggedEvent): number {
    return Number(event.id.slice(this.#boot.length + 1));
  }

  #record(type: JobEventType, event: JobEvents[JobEventType]): void {
    const logged = { id: `${this.#boot}-${++this.#seq}`, type, event };
    this.#ring.push(logged);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
    for (const listener of this.#listeners) listener(logged);
  }
}
