/**
 * The shape of retry options: backoff strategies and the `retry` option of `define`, `@job` and
 * `enqueue`. What the delays are is computed in `src/schedule/retry_policy.ts`; the checks are in
 * `retry_options.ts`.
 *
 * @module
 */

/** Jitter applied to exponential delays. */
export type Jitter = "none" | "full" | "equal" | "decorrelated";

/** The same delay before every retry. */
export interface FixedBackoff {
  /** Kind. */
  type: "fixed";
  /** Delay in ms. */
  delay: number;
}

/** Delays growing by `factor` per attempt, capped at `max`, with optional jitter. */
export interface ExponentialBackoff {
  /** Kind. */
  type: "exponential";
  /** First delay in ms (>= 1). */
  base: number;
  /** Growth per attempt (default 2; not used by decorrelated jitter, which grows by up to 3). */
  factor?: number;
  /** Longest delay in ms (default one hour). */
  max?: number;
  /** Jitter (default `"none"`). */
  jitter?: Jitter;
}

/** An explicit list of delays, one per retry; the last repeats once the list runs out. */
export interface ScheduleBackoff {
  /** Kind. */
  type: "schedule";
  /** Delays in ms. */
  delays: readonly number[];
}

/** A custom backoff: the delay in ms after failed attempt `attempt`, or `"stop"` to give up. */
export type BackoffFunction = (attempt: number, error: unknown) => number | "stop";

/** Any backoff strategy. Only the declarative ones (not functions) can be given per enqueue. */
export type Backoff = FixedBackoff | ExponentialBackoff | ScheduleBackoff | BackoffFunction;

/** A backoff that can be stored with a job (JSON). */
export type DeclarativeBackoff = Exclude<Backoff, BackoffFunction>;

/** The `retry` option of `define`, `@job` and `enqueue`. */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Delay before each retry (default: exponential from 1 s, doubling, at most 1 h). */
  backoff?: Backoff;
}
