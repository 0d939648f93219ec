/**
 * One attempt of a leased job, as every runner of jobs drives it (a worker node, and the testing
 * kit's `drain`): its `active` event, its prerequisites loaded, its handler run by an executor,
 * and the events of its outcome once the store recorded it. Kept in one place so that whoever
 * runs a job, listeners (metrics, the event stream, failure callbacks) hear the same events.
 *
 * @module
 */
import type { JobEventBase } from "../job/events.ts";
import type { Reservation } from "../job/job.ts";
import type { JobState } from "../job/states.ts";
import type { JobExecutor } from "./executor.ts";
import { failedAttempt } from "./failed_attempt.ts";
import { loadPrerequisites } from "./prerequisites.ts";
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
 * Runs `job`'s attempt with `executor`: its prerequisites loaded first (a store that cannot be
 * read fails the attempt, retryably). Never throws.
 */
export function runAttempt(
  runtime: WorkerRuntime,
  executor: JobExecutor,
  job: Reservation,
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  return loadPrerequisites(runtime, job).then(
    (prerequisites) => executor.run(job, signal, prerequisites),
    (error) => failedAttempt(runtime, job, error, true), // the store is away: try again
  );
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
  const at = clock.now();
  if (outcome.kind === "completed") {
    events.emit("completed", { ...eventBase(job, at), attempt: job.attempt, durationMs });
  } else if (outcome.kind === "failed") {
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
