/**
 * Runs one reserved job in-process and turns what its handler did into an outcome: a completion
 * to record, a failure with its retry time, or a hand-back (a payload newer than this code).
 *
 * @module
 */
import { RateLimitError, SnoozeError, UnknownFunctionError } from "../job/errors.ts";
import type { Reservation } from "../job/job.ts";
import type { JobContext } from "../registry/definition.ts";
import { readPayload } from "../registry/read_payload.ts";
import { writeResult } from "../registry/write_result.ts";
import type { WorkerRuntime } from "./runtime.ts";
import type { PrerequisiteResult } from "../job/dependencies.ts";
import { resultsOf } from "../registry/prerequisite_results.ts";
import { jobLog } from "../registry/job_log.ts";
import { guardAttempt } from "./attempt_guard.ts";
import { type FailedAttempt, failedAttempt, handBackOf } from "./failed_attempt.ts";
import { handedBack, tooNew } from "./hand_back.ts";
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
  const fail = (error: unknown, retryable: boolean): AttemptOutcome =>
    failedAttempt(runtime, job, error, retryable);
  const definition = runtime.definition(job.name);
  if (!definition) {
    // another node may know the function: retry rather than give up
    return fail(new UnknownFunctionError(job.name, runtime.functionNames()), true);
  }
  let payload: unknown;
  try {
    const read = await readPayload(runtime.encoder, definition, job.payload);
    if (read.kind === "too-new") {
      return await tooNew(runtime, job, read.version, definition.version);
    }
    payload = read.value;
  } catch (error) {
    return fail(error, false); // undecodable, unmigratable or invalid: retrying cannot help
  }
  let result: unknown;
  try {
    result = await guardAttempt(
      (guarded) => definition.handler(payload, jobContext(runtime, job, guarded, prerequisites)),
      { job, signal, timeoutMs: definition.timeout, ...runtime.graces },
    );
  } catch (error) {
    const back = handBackOf(error);
    if (back === null) return fail(error, true);
    return await handedBack(runtime, job, back);
  }
  try {
    return { kind: "completed", result: writeResult(runtime.encoder, definition, result) };
  } catch (error) {
    return fail(error, false); // the same code would return the same bad result
  }
}

function jobContext(
  runtime: WorkerRuntime,
  job: Reservation,
  signal: AbortSignal,
  prerequisites: readonly PrerequisiteResult[],
): JobContext {
  return {
    id: job.id,
    name: job.name,
    queue: job.queue,
    lane: job.lane,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    scheduledAt: job.runAt,
    prerequisites,
    resultsOf: resultsOf(prerequisites),
    signal,
    log: tagged(runtime, job),
    progress(percent: number, message?: string): void {
      emitProgress(runtime, job, percent, message);
    },
    enqueue: runtime.enqueue,
    snooze(delayMs: number): never {
      throw new SnoozeError(delayMs);
    },
    rateLimit(delayMs: number): never {
      throw new RateLimitError(delayMs);
    },
  };
}

function tagged(runtime: WorkerRuntime, job: Reservation): JobContext["log"] {
  return jobLog((level, message, fields) => {
    runtime.logger[level](message, { job: job.id, fn: job.name, ...fields });
    runtime.reports?.log(job.id, level, message, fields);
  });
}
