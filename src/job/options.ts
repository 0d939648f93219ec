/**
 * Enqueue options: what a producer may say about one job, checked and resolved against the
 * function's defaults.
 *
 * @module
 */
import { assertAttempts } from "./attempts.ts";
import type { DeclarativeBackoff, RetryOptions } from "./backoff.ts";
import { checkRetryOptions, encodeBackoff } from "./retry_options.ts";
import { jobIdProblem, newJobId } from "./ids.ts";
import { isLane, type Lane } from "./lanes.ts";
import { assertQueueName } from "./queue_name.ts";
import {
  isPrerequisiteFailurePolicy,
  MAX_PREREQUISITES,
  type PrerequisiteFailurePolicy,
} from "./dependencies.ts";
import { checkUniqueOptions, type UniqueOptions } from "./unique.ts";

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** Queue (default: the function's). */
  queue?: string;
  /** Lane (default: the function's). */
  priority?: Lane;
  /** Run no earlier than this many ms from now (at most a year). Not together with `runAt`. */
  delay?: number;
  /** Run no earlier than this time (a `Date` or epoch ms, at most a year ahead). Not with `delay`. */
  runAt?: Date | number;
  /** Caller-chosen job id: enqueueing the same id again returns it and stores nothing. */
  id?: string;
  /** Attempts in all, the first included (default: the function's). */
  attempts?: number;
  /**
   * Retry override for this job: `attempts` (instead of the `attempts` option) and a declarative
   * `backoff` (`fixed`, `exponential` or `schedule`; a backoff function can only be given to
   * `define`). Default: the function's.
   */
  retry?: EnqueueRetry;
  /**
   * Prerequisites: ids of existing jobs, or (in `enqueueBulk`) refs of items of the same call.
   * The job is `blocked` until they complete (at most `MAX_PREREQUISITES`).
   */
  dependsOn?: readonly string[];
  /** What a failed prerequisite does to this job (default `"fail"`). */
  onPrerequisiteFailure?: PrerequisiteFailurePolicy;
  /** Uniqueness of this job: overrides its function's `unique`. */
  unique?: UniqueOptions;
}

/** The `retry` option of one enqueue. */
export type EnqueueRetry = Omit<RetryOptions, "backoff"> & { backoff?: DeclarativeBackoff };

/** Defaults an enqueue falls back on: the function's settings. */
export interface EnqueueDefaults {
  /** Queue. */
  queue: string;
  /** Lane. */
  priority: Lane;
  /** Attempts. */
  attempts: number;
}

/** Enqueue options after checking: everything the store needs. */
export interface ResolvedEnqueue {
  /** Job id. */
  id: string;
  /** Queue. */
  queue: string;
  /** Lane. */
  lane: Lane;
  /** Due time (epoch ms). */
  runAt: number;
  /** Attempts in all. */
  maxAttempts: number;
  /** The job's own backoff as JSON; absent for its function's. */
  backoff?: string;
  /** Prerequisites as given (refs or ids). */
  dependsOn: string[];
  /** The failure policy. */
  onPrerequisiteFailure: PrerequisiteFailurePolicy;
  /** The job's own uniqueness (checked), when given. */
  unique?: UniqueOptions;
}

/**
 * How far ahead a job may be scheduled, by `delay` or `runAt`: one year (365 days) in ms. A
 * later due time is refused, so a typo (or `1e300`) cannot park a job forever.
 */
export const MAX_SCHEDULE_AHEAD_MS = 365 * 24 * 60 * 60 * 1000;
const AHEAD = MAX_SCHEDULE_AHEAD_MS.toLocaleString("en-US");

const KNOWN = new Set([
  "queue",
  "priority",
  "delay",
  "runAt",
  "id",
  "attempts",
  "retry",
  "dependsOn",
  "onPrerequisiteFailure",
  "unique",
]);

/**
 * Checks `options` and fills in defaults. Throws a `TypeError` or `RangeError` naming the bad
 * option.
 */
export function resolveEnqueueOptions(
  options: EnqueueOptions | undefined,
  defaults: EnqueueDefaults,
  now: number,
): ResolvedEnqueue {
  const o = options ?? {};
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new TypeError("enqueue options must be an object");
  }
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(
        `enqueue: unknown option ${JSON.stringify(key)} (known: ${[...KNOWN].join(", ")})`,
      );
    }
  }
  const queue = o.queue ?? defaults.queue;
  assertQueueName(queue, "enqueue: queue");
  const lane = o.priority ?? defaults.priority;
  if (!isLane(lane)) {
    throw new TypeError(
      `enqueue: priority must be one of critical, high, normal, low, batch; got ${
        JSON.stringify(lane)
      }`,
    );
  }
  if (o.delay !== undefined && o.runAt !== undefined) {
    throw new TypeError("enqueue: give either delay or runAt, not both");
  }
  let runAt = now;
  if (o.delay !== undefined) {
    if (
      typeof o.delay !== "number" || !Number.isFinite(o.delay) || o.delay < 0 ||
      o.delay > MAX_SCHEDULE_AHEAD_MS
    ) {
      throw new RangeError(
        `enqueue: delay must be a non-negative number of milliseconds, at most ${AHEAD} ` +
          `(one year); got ${JSON.stringify(o.delay)}`,
      );
    }
    runAt = now + Math.ceil(o.delay);
  } else if (o.runAt !== undefined) {
    const at = o.runAt instanceof Date ? o.runAt.getTime() : o.runAt;
    if (typeof at !== "number" || !Number.isFinite(at)) {
      throw new RangeError(
        `enqueue: runAt must be a Date or epoch ms, got ${JSON.stringify(o.runAt)}`,
      );
    }
    if (at > now + MAX_SCHEDULE_AHEAD_MS) {
      throw new RangeError(
        `enqueue: runAt must be at most one year ahead (${AHEAD} ms); got ` +
          `${Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : at}`,
      );
    }
    runAt = Math.max(Math.ceil(at), now);
  }
  let id: string;
  if (o.id !== undefined) {
    const problem = jobIdProblem(o.id);
    if (problem) throw new TypeError(`enqueue: id ${problem}`);
    id = o.id;
  } else {
    id = newJobId();
  }
  const retry = o.retry === undefined ? {} : checkRetryOptions(o.retry, "enqueue");
  if (retry.attempts !== undefined && o.attempts !== undefined) {
    throw new TypeError("enqueue: give attempts or retry.attempts, not both");
  }
  const maxAttempts = retry.attempts ?? o.attempts ?? defaults.attempts;
  assertAttempts(maxAttempts, "enqueue");
  const resolved: ResolvedEnqueue = {
    id,
    queue,
    lane,
    runAt,
    maxAttempts,
    dependsOn: checkDependsOn(o.dependsOn),
    onPrerequisiteFailure: o.onPrerequisiteFailure ?? "fail",
  };
  if (!isPrerequisiteFailurePolicy(resolved.onPrerequisiteFailure)) {
    throw new TypeError(
      `enqueue: onPrerequisiteFailure must be "fail", "skip" or "wait", got ${
        JSON.stringify(o.onPrerequisiteFailure)
      }`,
    );
  }
  if (o.unique !== undefined) resolved.unique = checkUniqueOptions(o.unique, "enqueue");
  if (retry.backoff !== undefined) resolved.backoff = encodeBackoff(retry.backoff, "enqueue");
  return resolved;
}

function checkDependsOn(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TypeError("enqueue: dependsOn must be an array of job ids or refs");
  }
  if (value.length > MAX_PREREQUISITES) {
    throw new RangeError(`enqueue: a job may have at most ${MAX_PREREQUISITES} prerequisites`);
  }
  for (const dep of value) {
    const problem = jobIdProblem(dep);
    if (problem) throw new TypeError(`enqueue: dependsOn entry ${JSON.stringify(dep)} ${problem}`);
  }
  return [...value];
}
