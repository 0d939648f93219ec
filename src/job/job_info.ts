/**
 * The public view of a job, as `engine.getJob` returns it: payload and result decoded.
 *
 * @module
 */
import type { AttemptRecord } from "./attempt_history.ts";
import type { JobErrorInfo, JobRecord } from "./job.ts";
import type { Lane } from "./lanes.ts";
import type { JobState } from "./states.ts";
import type { PrerequisiteFailurePolicy } from "./dependencies.ts";

/** A job as users see it. Times are epoch milliseconds. */
export interface JobInfo {
  /** Job id. */
  id: string;
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** The lane it is served from (raised above `requestedPriority` while a dependent waits). */
  priority: Lane;
  /** The lane it was enqueued in, when priority inheritance raised it; else null. */
  requestedPriority: Lane | null;
  /** Current state. */
  state: JobState;
  /** Decoded payload. */
  payload: unknown;
  /** Attempts started so far. */
  attempts: number;
  /** Attempts allowed in all. */
  maxAttempts: number;
  /** Times its lease expired while it ran. */
  stalls: number;
  /** Decoded result of a completed job, else null. */
  result: unknown;
  /** The latest error, or null. */
  error: JobErrorInfo | null;
  /** When it was enqueued. */
  enqueuedAt: number;
  /** When it is (or was) due. */
  runAt: number;
  /** When its latest attempt started, or null. */
  startedAt: number | null;
  /** When it reached a final state, or null. */
  finishedAt: number | null;
  /** The worker holding its lease, or the last one that ran it. */
  worker: string | null;
  /** True when cancellation was requested while it was running. */
  cancelRequested: boolean;
  /** Its newest attempts, oldest first: start, end, worker, outcome, error. */
  history: AttemptRecord[];
  /** Its prerequisites' ids, in the order given. */
  prerequisites: string[];
  /** Prerequisites it still waits on (while blocked). */
  openPrerequisites: number;
  /** How many jobs depend on it. */
  dependents: number;
  /** What a failed prerequisite does to it. */
  onPrerequisiteFailure: PrerequisiteFailurePolicy;
  /** Its unique key, or null. */
  uniqueKey: string | null;
  /**
   * The limit it waits on while set aside (waiting, but a rate or concurrency limit does not let
   * it start yet): the function name, `name|key`, or null.
   */
  throttledBy: string | null;
  /** The latest progress it reported (`ctx.progress`), or null. */
  progress: { percent: number; message?: string } | null;
}

/** Builds the public view of a stored job; `decode` turns stored bytes into values. */
export function toJobInfo(record: JobRecord, decode: (bytes: Uint8Array) => unknown): JobInfo {
  return {
    id: record.id,
    name: record.name,
    queue: record.queue,
    priority: record.lane,
    requestedPriority: record.requestedLane,
    state: record.state,
    payload: decode(record.payload),
    attempts: record.attempts,
    maxAttempts: record.maxAttempts,
    stalls: record.stalls,
    result: record.result === null ? null : decode(record.result),
    error: record.error === null ? null : JSON.parse(record.error) as JobErrorInfo,
    enqueuedAt: record.enqueuedAt,
    runAt: record.runAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    worker: record.worker,
    cancelRequested: record.cancelRequested,
    history: record.history,
    prerequisites: record.prerequisites,
    openPrerequisites: record.openPrerequisites,
    dependents: record.dependents,
    onPrerequisiteFailure: record.onPrerequisiteFailure,
    uniqueKey: record.uniqueKey,
    throttledBy: record.throttledBy,
    progress: record.progress,
  };
}
