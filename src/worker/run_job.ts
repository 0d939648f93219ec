/**
 * Runs one reserved job in-process and turns what its handler did into an outcome: a completion
 * to record, a failure with its retry time, or a hand-back (a payload newer than this code).
 * The steps (payload, handler, result) are `attempt_steps.ts`, shared with the isolates.
 *
 * @module
 */
import type { Reservation } from "../job/job.ts";
import type { JobContext } from "../registry/definition.ts";
import type { WorkerRuntime } from "./runtime.ts";
import type { PrerequisiteResult } from "../job/dependencies.ts";
import { guardAttempt } from "./attempt_guard.ts";
import { attemptSteps } from "./attempt_steps.ts";
import { type FailedAttempt, failedAttempt } from "./failed_attempt.ts";
import { handedBack, tooNew } from "./hand_back.ts";
import { attemptFacts, buildJobContext } from "./job_context.ts";
import { emitProgress } from "./progress.ts";

/** What became of one attempt. */
export type AttemptOutcome =
  | { kind: "completed"; result: Uint8Array | null }
  | FailedAttempt
  /** Handed back to its lane through `store.release` already: nothing left to write. */
  | { kind: "released" }
  /** Stopped by the node's shutdown: the node hands the job back without spending it. */
  | { kind: "interrupted" };

/** Runs `job`'s handler with `signal` and its `prerequisites`; never throws. */
export async function runJob(
  runtime: WorkerRuntime,
  job: Reservation,
  signal: AbortSignal,
  prerequisites: readonly PrerequisiteResult[] = [],
): Promise<AttemptOutcome> {
  const step = await attemptSteps({
    name: job.name,
    definition: runtime.definition(job.name),
    known: () => runtime.functionNames(),
    encoder: runtime.encoder,
    payload: job.payload,
    handle: (definition, payload) =>
      guardAttempt(
        (guarded) => definition.handler(payload, jobContext(runtime, job, guarded, prerequisites)),
        { job, signal, timeoutMs: definition.timeout, ...runtime.graces },
      ),
  });
  switch (step.kind) {
    case "completed":
      return step;
    case "failed":
      return failedAttempt(runtime, job, step.error, step.retryable);
    case "threw":
      return failedAttempt(runtime, job, step.error, true);
    case "handed-back":
      return await handedBack(runtime, job, step.request);
    case "too-new":
      return await tooNew(runtime, job, step.version, step.known);
  }
}

function jobContext(
  runtime: WorkerRuntime,
  job: Reservation,
  signal: AbortSignal,
  prerequisites: readonly PrerequisiteResult[],
): JobContext {
  const facts = attemptFacts(job, job.runAt, prerequisites);

  return buildJobContext(facts, {
    signal,
    log(level, message, fields) {
      runtime.logger[level](message, { job: job.id, fn: job.name, ...fields });
      runtime.reports?.log(job.id, level, message, fields);
    },
    progress(percent, message) {
      emitProgress(runtime, job, percent, message);
    },
    enqueue: runtime.enqueue,
  });
}
