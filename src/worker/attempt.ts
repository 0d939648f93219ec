/**
 * One attempt of a leased job, as every runner of jobs drives it (a worker node, and the testing
 * kit's `drain`): its prerequisites loaded, then its handler run by an executor (inline or in an
 * isolate, both ending in the same `AttemptOutcome`). The events around it are built in
 * `job_events.ts`.
 *
 * @module
 */
import type { Reservation } from "../job/job.ts";
import type { AttemptAbort } from "./attempt_abort.ts";
import type { JobExecutor } from "./executor.ts";
import { failedAttempt } from "./failed_attempt.ts";
import { loadPrerequisites, NO_PREREQUISITES } from "./prerequisites.ts";
import type { OutcomeOrPromise } from "./run_job.ts";
import type { WorkerRuntime } from "./runtime.ts";

/**
 * Runs `job`'s attempt with `executor`: its prerequisites loaded first, when it has any (a store
 * that cannot be read fails the attempt, retryably). Never throws; the outcome comes at once
 * when the executor gives it so (see `JobExecutor.run`).
 */
export function runAttempt(
  runtime: WorkerRuntime,
  executor: JobExecutor,
  job: Reservation,
  abort: AttemptAbort,
): OutcomeOrPromise {
  if (job.prerequisites.length === 0) return executor.run(job, abort, NO_PREREQUISITES);
  return loadPrerequisites(runtime, job).then(
    (prerequisites) => executor.run(job, abort, prerequisites),
    (error) => failedAttempt(runtime, job, error, true), // the store is away: try again
  );
}
