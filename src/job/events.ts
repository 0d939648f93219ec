/**
 * Job life-cycle events, emitted once by the engine (and its workers) for listeners such as the
 * gateway's event stream and metrics.
 *
 * @module
 */
import type { JobErrorInfo } from "./job.ts";
import type { Lane } from "./lanes.ts";
import type { JobState } from "./states.ts";

/** Fields every job event carries. */
export interface JobEventBase {
  /** Job id. */
  id: string;
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** Lane. */
  lane: Lane;
  /** When it happened (epoch ms). */
  at: number;
}

/** Every job event, by type. */
export interface JobEvents {
  /** A job was stored (idempotent repeats emit nothing). */
  enqueued: JobEventBase & { state: JobState; runAt: number };
  /** A worker started an attempt. */
  active: JobEventBase & { attempt: number; worker: string; waitMs: number };
  /** An attempt succeeded. */
  completed: JobEventBase & { attempt: number; durationMs: number };
  /** An attempt failed; `state` says what happens next (`delayed`, `waiting`, `dead`, `cancelled`). */
  failed: JobEventBase & {
    attempt: number;
    durationMs: number;
    error: JobErrorInfo;
    state: JobState;
    retryAt: number | null;
  };
  /** A job was cancelled. */
  cancelled: JobEventBase;
  /** A dead job was requeued from the dead-letter queue. */
  requeued: JobEventBase;
  /** A worker lost a job's lease (it expired and was reclaimed): its outcome was discarded. */
  "lease-lost": JobEventBase & { worker: string };
  /** A running job reported progress (`ctx.progress`); stored with the job too. */
  progress: JobEventBase & { attempt: number; percent: number; message?: string };
}

/** The name of a job event. */
export type JobEventType = keyof JobEvents;

/** A listener of one event type. */
export type JobEventListener<T extends JobEventType> = (event: JobEvents[T]) => void;

/** A small typed event emitter; a listener that throws is reported, never propagated. */
export class JobEventEmitter {
  #listeners = new Map<JobEventType, Set<(event: never) => void>>();
  #onListenerError: (error: unknown) => void;

  /** `onListenerError` receives what a listener throws. */
  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<T extends JobEventType>(type: T, listener: JobEventListener<T>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  /** True when someone listens to `type` (lets callers skip building events nobody reads). */
  has(type: JobEventType): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  /** Delivers `event` to the listeners of `type`. */
  emit<T extends JobEventType>(type: T, event: JobEvents[T]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as JobEventListener<T>)(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
