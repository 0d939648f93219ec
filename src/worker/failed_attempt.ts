/**
 * What a failed attempt leads to: retry at a time the job's backoff decides, or the dead-letter
 * queue. Used by every executor, so inline and isolate attempts retry alike.
 *
 * @module
 */
import { RateLimitError, SnoozeError, UnrecoverableError } from "../job/errors.ts";
import { type JobErrorInfo, type Reservation, toErrorInfo } from "../job/job.ts";
import { DEFAULT_BACKOFF, retryDelay } from "../schedule/retry_policy.ts";
import { decodeBackoff } from "../job/retry_options.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** A failed attempt: its error and when to retry (null: dead-letter). */
export interface FailedAttempt {
  /** Kind. */
  kind: "failed";
  /** The error, as stored. */
  error: JobErrorInfo;
  /** Retry this many ms from now (the store's now), or null to dead-letter the job. */
  retryDelay: number | null;
  /**
   * The error as thrown, for callers in this process (the testing kit's `runJob` rethrows it);
   * never stored or sent anywhere. From an isolate: the error revived from its stored form.
   */
  cause?: unknown;
}

/**
 * The outcome of `job`'s attempt that failed with `error`. No retry when `retryable` is false,
 * for an `UnrecoverableError`, once `maxAttempts` attempts ran, or when the backoff says
 * `"stop"`. The backoff is the job's own (given at enqueue), else its function's, else
 * `DEFAULT_BACKOFF`; a backoff function that throws or returns nonsense is logged and the
 * default used.
 */
export function failedAttempt(
  runtime: WorkerRuntime,
  job: Reservation,
  error: unknown,
  retryable: boolean,
): FailedAttempt {
  const info = toErrorInfo(error);
  const dead = { kind: "failed" as const, error: info, retryDelay: null, cause: error };
  if (!retryable || error instanceof UnrecoverableError || job.attempt >= job.maxAttempts) {
    return dead;
  }
  const backoff = decodeBackoff(job.backoff) ?? runtime.definition(job.name)?.backoff ??
    DEFAULT_BACKOFF;
  let delay: number | "stop";
  try {
    delay = retryDelay(backoff, job.attempt, error);
  } catch (problem) {
    runtime.logger.error("the backoff function failed; using the default backoff", {
      job: job.id,
      fn: job.name,
      error: String(problem),
    });
    delay = retryDelay(DEFAULT_BACKOFF, job.attempt, error);
  }
  return delay === "stop" ? dead : { ...dead, retryDelay: delay };
}

/**
 * A hand-back a handler asked for: run again in `delayMs` without spending the attempt; with
 * `throttle`, its function (or limit key) also pauses that long on every node.
 */
export interface HandBackRequest {
  /** Ms until the job may run again. */
  delayMs: number;
  /** A `RateLimitError`: pause the function (or key), not only this job. */
  throttle: boolean;
}

/**
 * The hand-back asked for by `error` (a `SnoozeError` or `RateLimitError`, or its serialized
 * form); or null for a failure.
 */
export function handBackOf(error: unknown): HandBackRequest | null {
  const e = error as { name?: unknown; delayMs?: unknown } | null;
  const named = error instanceof SnoozeError || error instanceof RateLimitError ||
    e?.name === "SnoozeError" || e?.name === "RateLimitError";
  if (!named || !Number.isSafeInteger(e!.delayMs)) return null;
  return { delayMs: e!.delayMs as number, throttle: e!.name === "RateLimitError" };
}
