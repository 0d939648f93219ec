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
import type { AttemptAbort } from "./attempt_abort.ts";
import { guardAttempt } from "./attempt_guard.ts";
import {
  type AttemptStep,
  type PayloadStep,
  payloadStep,
  resultStep,
  thrownStep,
} from "./attempt_steps.ts";
import { type FailedAttempt, failedAttempt } from "./failed_attempt.ts";
import { handedBack, tooNew } from "./hand_back.ts";
import { attemptFacts, buildJobContext, type ContextSinks } from "./job_context.ts";
import type { Enqueue } from "../registry/job_ref.ts";
import type { LogLevel } from "../job/logger.ts";
import { emitProgress } from "./progress.ts";

/** What became of one attempt. */
export type AttemptOutcome =
  | { kind: "completed"; result: Uint8Array | null }
  | FailedAttempt
  /** Handed back to its lane through `store.release` already: nothing left to write. */
  | { kind: "released" }
  /** Stopped by the node's shutdown: the node hands the job back without spending it. */
  | { kind: "interrupted" };

/** An attempt's outcome: at once when every step of it was synchronous, else a promise. */
export type OutcomeOrPromise = AttemptOutcome | Promise<AttemptOutcome>;

/**
 * Runs `job`'s handler, stopped by `abort`, with its `prerequisites`; never throws. The steps
 * are chained on the guarded attempt itself, not awaited one by one: a promise and a turn of the
 * event loop fewer per step, for every job. A handler that returns without a promise (and needs
 * no migration, store write or hand-back around it) gives its outcome at once, in the same turn.
 */
export function runJob(
  runtime: WorkerRuntime,
  job: Reservation,
  abort: AttemptAbort,
  prerequisites: readonly PrerequisiteResult[] = [],
): OutcomeOrPromise {
  try {
    const ready = payloadStep({
      name: job.name,
      definition: runtime.definition(job.name),
      known: () => runtime.functionNames(),
      encoder: runtime.encoder,
      payload: job.payload,
    });
    return ready instanceof Promise
      ? ready.then((step) => runHandler(runtime, job, abort, prerequisites, step))
      : runHandler(runtime, job, abort, prerequisites, ready);
  } catch (error) {
    return Promise.reject(error); // as an async function would: the caller sees a rejection
  }
}

/** Runs the handler on a payload that is ready (else ends on the step before it). */
function runHandler(
  runtime: WorkerRuntime,
  job: Reservation,
  abort: AttemptAbort,
  prerequisites: readonly PrerequisiteResult[],
  ready: PayloadStep,
): OutcomeOrPromise {
  if (ready.kind !== "payload") return outcomeOf(runtime, job, ready);
  const { definition, value } = ready;
  const attempt = guardAttempt(
    (guarded) => definition.handler(value, jobContext(runtime, job, guarded, prerequisites)),
    { job, abort, timeoutMs: definition.timeout, ...runtime.graces },
  );
  if (attempt instanceof Promise) {
    return attempt.then(
      (result) => outcomeOf(runtime, job, resultStep(ready, result)),
      (error) => outcomeOf(runtime, job, thrownStep(error)),
    );
  }
  return outcomeOf(
    runtime,
    job,
    attempt.ok ? resultStep(ready, attempt.value) : thrownStep(attempt.error),
  );
}

/** What the step an attempt ended on makes of it. */
function outcomeOf(
  runtime: WorkerRuntime,
  job: Reservation,
  step: AttemptStep,
): OutcomeOrPromise {
  switch (step.kind) {
    case "completed":
      return step;
    case "failed":
      return failedAttempt(runtime, job, step.error, step.retryable);
    case "threw":
      return failedAttempt(runtime, job, step.error, true);
    case "handed-back":
      return handedBack(runtime, job, step.request);
    case "too-new":
      return tooNew(runtime, job, step.version, step.known);
  }
}

function jobContext(
  runtime: WorkerRuntime,
  job: Reservation,
  abort: AttemptAbort,
  prerequisites: readonly PrerequisiteResult[],
): JobContext {
  return buildJobContext(
    attemptFacts(job, job.runAt, prerequisites),
    new InlineSinks(runtime, job, abort),
  );
}

/** Where an inline attempt's `ctx` calls go: straight to the node (the signal made on demand). */
class InlineSinks implements ContextSinks {
  readonly enqueue: Enqueue;
  #runtime: WorkerRuntime;
  #job: Reservation;
  #abort: AttemptAbort;

  constructor(runtime: WorkerRuntime, job: Reservation, abort: AttemptAbort) {
    this.enqueue = runtime.enqueue;
    this.#runtime = runtime;
    this.#job = job;
    this.#abort = abort;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const job = this.#job;
    this.#runtime.logger[level](message, { job: job.id, fn: job.name, ...fields });
    this.#runtime.reports?.log(job.id, level, message, fields);
  }

  progress(percent: number, message?: string): void {
    emitProgress(this.#runtime, this.#job, percent, message);
  }
}
