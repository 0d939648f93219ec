/**
 * The `ctx` a handler receives, built in one place for both executors: the inline one (whose
 * log, progress and enqueue go straight to the node) and the isolates (where they cross the
 * message port). Each executor supplies only where those calls go.
 *
 * @module
 */
import type { PrerequisiteResult } from "../job/dependencies.ts";
import { RateLimitError, SnoozeError } from "../job/errors.ts";
import type { JobContext } from "../registry/definition.ts";
import type { Enqueue } from "../registry/job_ref.ts";
import type { LogLevel } from "../job/logger.ts";
import { type JobLog, jobLog } from "../registry/job_log.ts";
import { resultsOf } from "../registry/prerequisite_results.ts";

/** The facts of one attempt that its context shows the handler. */
export type AttemptFacts = Pick<
  JobContext,
  "id" | "name" | "queue" | "lane" | "attempt" | "maxAttempts" | "scheduledAt" | "prerequisites"
>;

/** The facts of an attempt of `job`, due at `scheduledAt`, with its `prerequisites`. */
export function attemptFacts(
  job: Omit<AttemptFacts, "scheduledAt" | "prerequisites">,
  scheduledAt: number,
  prerequisites: readonly PrerequisiteResult[],
): AttemptFacts {
  const { id, name, queue, lane, attempt, maxAttempts } = job;
  return { id, name, queue, lane, attempt, maxAttempts, scheduledAt, prerequisites };
}

/** Where a context's calls go. */
export interface ContextSinks {
  /** Aborted on timeout, cancellation or a lost lease. */
  readonly signal: AbortSignal;
  /** Writes one log line of the job. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** Reports progress; `percent` is already checked to be from 0 to 100. */
  progress(percent: number, message?: string): void;
  /** Enqueues another job. */
  readonly enqueue: Enqueue;
}

/** The handler's `ctx` for an attempt with `facts`, its calls going to `sinks`. */
export function buildJobContext(facts: AttemptFacts, sinks: ContextSinks): JobContext {
  return new AttemptContext(facts, sinks);
}

/**
 * A `ctx`. Made for every attempt, and most handlers use little of it: its signal, logger,
 * progress and `resultsOf` are made when first read (getters on the class, so reading them, also
 * by destructuring, works as a property would; each is a function that needs no `this`).
 */
class AttemptContext implements JobContext {
  readonly id: string;
  readonly name: string;
  readonly queue: JobContext["queue"];
  readonly lane: JobContext["lane"];
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly scheduledAt: number;
  readonly prerequisites: AttemptFacts["prerequisites"];
  readonly enqueue: Enqueue;
  readonly snooze: (delayMs: number) => never = snooze;
  readonly rateLimit: (delayMs: number) => never = rateLimit;
  #sinks: ContextSinks;
  #log: JobLog | null = null;
  #progress: JobContext["progress"] | null = null;
  #resultsOf: JobContext["resultsOf"] | null = null;

  constructor(facts: AttemptFacts, sinks: ContextSinks) {
    this.id = facts.id;
    this.name = facts.name;
    this.queue = facts.queue;
    this.lane = facts.lane;
    this.attempt = facts.attempt;
    this.maxAttempts = facts.maxAttempts;
    this.scheduledAt = facts.scheduledAt;
    this.prerequisites = facts.prerequisites;
    this.enqueue = sinks.enqueue;
    this.#sinks = sinks;
  }

  get signal(): AbortSignal {
    return this.#sinks.signal;
  }

  get log(): JobLog {
    const sinks = this.#sinks;
    return this.#log ??= jobLog((level, message, fields) => sinks.log(level, message, fields));
  }

  get progress(): JobContext["progress"] {
    const sinks = this.#sinks;
    return this.#progress ??= (percent: number, message?: string): void => {
      if (typeof percent !== "number" || !(percent >= 0 && percent <= 100)) {
        throw new RangeError(`progress: percent must be from 0 to 100, got ${percent}`);
      }
      sinks.progress(percent, message === undefined ? undefined : String(message));
    };
  }

  get resultsOf(): JobContext["resultsOf"] {
    return this.#resultsOf ??= resultsOf(this.prerequisites);
  }
}

/** `ctx.snooze`: ends the attempt, to run again in `delayMs` without spending it. */
function snooze(delayMs: number): never {
  throw new SnoozeError(delayMs);
}

/** `ctx.rateLimit`: ends the attempt, its function (or limit key) held back for `delayMs`. */
function rateLimit(delayMs: number): never {
  throw new RateLimitError(delayMs);
}
