/**
 * The failure-handling options of `define` and `@job`: `retry`, `timeout`, `onFailure`,
 * `onDead`. Checked when the function is defined; a bad value throws, naming the function, the
 * option and the value.
 *
 * @module
 */
import type { JobErrorInfo } from "../job/job.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { Backoff, RetryOptions } from "../job/backoff.ts";
import { checkRetryOptions } from "../job/retry_options.ts";

/**
 * A failure callback: gets the job as stored after the failed attempt was recorded (its state
 * says what comes next) and the attempt's error. Runs in the background on the node that ran
 * the attempt; a callback that throws is logged and counted, never retried.
 */
export type FailureHook = (job: JobInfo, error: JobErrorInfo) => void | Promise<void>;

/** Failure handling of a function (part of `DefineOptions`). */
export interface FailureOptions {
  /** Attempts and backoff; `retry.attempts` replaces the `attempts` option (give one of them). */
  retry?: RetryOptions;
  /**
   * Longest run of one attempt (ms). At the deadline the handler's `ctx.signal` aborts; a handler
   * that ignores it is abandoned (inline) or its isolate terminated; the attempt fails with a
   * `TimeoutError` and is retried like any failure.
   */
  timeout?: number;
  /** Called after every failed attempt (retried or not). */
  onFailure?: FailureHook;
  /** Called when a job has no attempts left and went to the dead-letter queue. */
  onDead?: FailureHook;
}

/** The checked failure settings a definition carries. */
export interface FailureSettings {
  /** Backoff, or undefined for the default. */
  readonly backoff: Backoff | undefined;
  /** Timeout (ms), or undefined for none. */
  readonly timeout: number | undefined;
  /** Per-attempt failure callback. */
  readonly onFailure: FailureHook | undefined;
  /** Dead-letter callback. */
  readonly onDead: FailureHook | undefined;
}

/** The option names `FailureOptions` adds to `define`. */
export const FAILURE_OPTION_NAMES: readonly string[] = ["retry", "timeout", "onFailure", "onDead"];

/** Longest timeout (ms): what a timer can wait (about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Checks the failure options of `options` (given at `where`). Returns the settings and the
 * attempts `retry` names, if any; throws when `attempts` is given as well.
 */
export function checkFailureOptions(
  options: FailureOptions & { attempts?: number },
  where: string,
): FailureSettings & { attempts: number | undefined } {
  const retry = options.retry === undefined ? {} : checkRetryOptions(options.retry, where);
  if (retry.attempts !== undefined && options.attempts !== undefined) {
    throw new TypeError(`${where}: give attempts or retry.attempts, not both`);
  }
  const { timeout } = options;
  if (
    timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS)
  ) {
    throw new RangeError(
      `${where}: timeout must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}, got ${
        JSON.stringify(timeout)
      }`,
    );
  }
  for (const hook of ["onFailure", "onDead"] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== "function") {
      throw new TypeError(
        `${where}: ${hook} must be a function, got ${JSON.stringify(options[hook])}`,
      );
    }
  }
  return {
    attempts: retry.attempts,
    backoff: retry.backoff,
    timeout,
    onFailure: options.onFailure,
    onDead: options.onDead,
  };
}
