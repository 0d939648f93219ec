/**
 * Retry backoff strategies: how long a failed job waits before its next attempt. Pure functions;
 * the random source is injectable so tests can check exact sequences.
 *
 * | backoff | delay after failed attempt `n` (1-based) |
 * | --- | --- |
 * | `{ type: "fixed", delay }` | `delay` |
 * | `{ type: "exponential", base, factor = 2, max = 1 h, jitter = "none" }` | `min(base * factor^(n-1), max)`, then jitter |
 * | `{ type: "schedule", delays }` | `delays[n-1]`, the last one once the list runs out |
 * | `(attempt, error) => ms \| "stop"` | what the function returns; `"stop"` dead-letters the job |
 *
 * Jitter of an exponential delay `d`: `none` = `d`; `full` = random in `[0, d]`; `equal` =
 * random in `[ceil(d/2), d]`; `decorrelated` (AWS) = `min(max, random in [base, 3 * previous])`
 * from `previous = base`, replayed from the first attempt (so it needs no stored state).
 *
 * @module
 */
import { checkBackoff } from "../job/retry_options.ts";
import type { Backoff, ExponentialBackoff, FixedBackoff, ScheduleBackoff } from "../job/backoff.ts";

export type * from "../job/backoff.ts";

/** Random numbers in `[0, 1)`, like `Math.random`. */
export type RandomSource = () => number;

/** Longest exponential delay unless `max` says otherwise (ms). */
export const DEFAULT_MAX_DELAY_MS = 3_600_000;

/** The backoff used when neither the job nor its function names one. */
export const DEFAULT_BACKOFF: ExponentialBackoff = Object.freeze({
  type: "exponential",
  base: 1_000,
  factor: 2,
  max: DEFAULT_MAX_DELAY_MS,
  jitter: "none",
});

/** `{ type: "fixed", delay }`, checked. */
export function fixed(delay: number): FixedBackoff {
  return checkBackoff({ type: "fixed", delay }, "fixed") as FixedBackoff;
}

/** `{ type: "exponential", base, ...options }`, checked. */
export function exponential(
  base: number,
  options: Omit<ExponentialBackoff, "type" | "base"> = {},
): ExponentialBackoff {
  return checkBackoff(
    { type: "exponential", base, ...options },
    "exponential",
  ) as ExponentialBackoff;
}

/** `{ type: "schedule", delays }`, checked. */
export function schedule(delays: readonly number[]): ScheduleBackoff {
  return checkBackoff({ type: "schedule", delays: [...delays] }, "schedule") as ScheduleBackoff;
}

/**
 * The delay (ms) before the attempt that follows failed attempt `attempt`, or `"stop"`. A
 * backoff function that returns anything but a number >= 0 or `"stop"` makes this throw.
 */
export function retryDelay(
  backoff: Backoff,
  attempt: number,
  error: unknown,
  random: RandomSource = Math.random,
): number | "stop" {
  if (typeof backoff === "function") {
    const out = backoff(attempt, error);
    if (out === "stop") return out;
    if (typeof out !== "number" || !(out >= 0) || !Number.isFinite(out)) {
      throw new TypeError(`backoff function returned ${String(out)}: expected ms >= 0 or "stop"`);
    }
    return Math.ceil(out);
  }
  switch (backoff.type) {
    case "fixed":
      return backoff.delay;
    case "schedule":
      return backoff.delays[Math.min(attempt, backoff.delays.length) - 1]!;
    case "exponential":
      return exponentialDelay(backoff, attempt, random);
  }
}

function exponentialDelay(b: ExponentialBackoff, attempt: number, random: RandomSource): number {
  const max = b.max ?? DEFAULT_MAX_DELAY_MS;
  const between = (low: number, high: number): number =>
    low + Math.floor(random() * (high - low + 1));
  if (b.jitter === "decorrelated") {
    let delay = b.base;
    for (let i = 0; i < attempt; i++) delay = Math.min(max, between(b.base, delay * 3));
    return delay;
  }
  const raw = Math.min(Math.round(b.base * (b.factor ?? 2) ** (attempt - 1)), max);
  switch (b.jitter ?? "none") {
    case "full":
      return between(0, raw);
    case "equal":
      return between(Math.ceil(raw / 2), raw);
    default:
      return raw;
  }
}

export {
  checkBackoff,
  checkRetryOptions,
  decodeBackoff,
  encodeBackoff,
} from "../job/retry_options.ts";
