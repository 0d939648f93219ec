/**
 * The job events a runner of jobs emits (a worker node, and the testing kit's `drain`), built in
 * one place so that whoever runs a job, listeners (metrics, the event stream, failure callbacks)
 * hear the same events: `active` when an attempt starts, `completed` or `failed` (and
 * `cancelled`) once the store recorded its outcome, `lease-lost` when the lease went away, and
 * the events of jobs that ended without their worker (stalled for good, or cancelled).
 *
 * @module
 */
import type { JobEventBase } from "../job/events.ts";
import type { Reservation } from "../job/job.ts";
import type { JobState } from "../job/states.ts";
import type { AttemptOutcome } from "./run_job.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** The fields every event about `job` carries, at `at` (epoch ms). */
export function eventBase(
  job: Pick<Reservation, "id" | "name" | "queue" | "lane">,
  at: number,
): JobEventBase {
  return { id: job.id, name: job.name, queue: job.queue, lane: job.lane, at };
}

/** Emits the `active` event of `job`, started by `worker`. */
export function announceStarted(runtime: WorkerRuntime, job: Reservation, worker: string): void {
  const { events } = runtime;
  if (!events.has("active")) return;
  events.emit("active", {
    ...eventBase(job, job.startedAt),
    attempt: job.attempt,
    worker,
    waitMs: Math.max(job.startedAt - Math.max(job.runAt, job.enqueuedAt), 0),
  });
}

/**
 * Emits the events of `job`'s outcome, recorded by the store with the job now in `state`: a
 * `completed` event, or a `failed` event (and `cancelled` when the failure ended it so).
 * Hand-backs emit nothing.
 */
export function announceOutcome(
  runtime: WorkerRuntime,
  job: Reservation,
  outcome: AttemptOutcome,
  durationMs: number,
  state: JobState | undefined,
): void {
  const { events, clock } = runtime;
  if (outcome.kind === "completed") {
    if (!events.has("completed")) return; // nobody listens: no event built, no clock read
    events.emit("completed", {
      ...eventBase(job, clock.now()),
      attempt: job.attempt,
      durationMs,
    });
  } else if (outcome.kind === "failed") {
    const at = clock.now();
    events.emit("failed", {
      ...eventBase(job, at),
      attempt: job.attempt,
      durationMs,
      error: outcome.error,
      state: state ?? "dead",
      retryAt: outcome.retryDelay === null ? null : at + outcome.retryDelay,
    });
    if (state === "cancelled") events.emit("cancelled", eventBase(job, at));
  }
}

/** Emits the `lease-lost` event of `job`, whose lease `worker` no longer holds. */
export function announceLeaseLost(runtime: WorkerRuntime, job: Reservation, worker: string): void {
  runtime.events.emit("lease-lost", { ...eventBase(job, runtime.clock.now()), worker });
}

/**
 * Emits the events of jobs that lost their worker and ended for good (their last attempt
 * stalled, or cancellation was requested), so failure callbacks and alerts fire for them too.
 */
export async function announceEnded(runtime: WorkerRuntime, ids: string[]): Promise<void> {
  const { events, store, clock } = runtime;
  for (const id of ids) {
    const job = await store.getJob(id).catch(() => null);
    if (!job) continue;
    const base = eventBase(job, clock.now());
    if (job.state === "cancelled") {
      events.emit("cancelled", base);
    } else if (job.state === "dead") {
      events.emit("failed", {
        ...base,
        attempt: job.attempts,
        durationMs: 0,
        error: job.error ? JSON.parse(job.error) : { name: "StalledError", message: "stalled" },
        state: "dead",
        retryAt: null,
      });
    }
  }
}
