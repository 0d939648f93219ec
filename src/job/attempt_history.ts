/**
 * Attempt history: every attempt of a job. The stores record an attempt when it ends without
 * completing (`fail`, `release`, a lease that expired); a completed attempt is told by the job's
 * own fields, and `withCompletion` adds it when the job is read, so the hot path writes no
 * history. Bounded: a job keeps its newest `ATTEMPT_HISTORY_LIMIT` attempts. Both stores build
 * the same entries; `record_attempt` in `lua/_jobs.lua` mirrors the limit.
 *
 * @module
 */
import type { JobErrorInfo, JobRecord } from "./job.ts";

/** How many attempts a job's history keeps (the newest). `lua/_lib.lua` holds the same number. */
export const ATTEMPT_HISTORY_LIMIT = 25;

/**
 * What became of one attempt: `completed`; `failed` (retried later or dead-lettered);
 * `cancelled` (it ended while its cancellation was requested); `released` (handed back without
 * spending the attempt: a snooze, a shutdown, an unknown payload version); `stalled` (its lease
 * expired: the worker died or stopped renewing).
 */
export type AttemptOutcomeName = "completed" | "failed" | "cancelled" | "released" | "stalled";

/** One recorded attempt. Times are epoch ms of the store clock. */
export interface AttemptRecord {
  /** Which attempt it was (1 for the first run). */
  attempt: number;
  /** When it started. */
  startedAt: number | null;
  /** When it ended. */
  finishedAt: number;
  /** The worker (node) that ran it. */
  worker: string | null;
  /** What became of it. */
  outcome: AttemptOutcomeName;
  /** Its error, when it ended with one. */
  error: JobErrorInfo | null;
}

/**
 * The error of a history entry from the error text a store was given: the parsed JSON when it
 * is an object (or array), else `{ name: "Error", message: <the text> }`. `null` stays null.
 */
export function attemptError(text: string | null): JobErrorInfo | null {
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) return parsed as JobErrorInfo;
  } catch {
    // not JSON: kept as the message
  }
  return { name: "Error", message: text };
}

/**
 * `stored` (the recorded attempts) with the completed attempt of `job` appended when it is
 * completed, bounded to the newest `ATTEMPT_HISTORY_LIMIT`.
 */
export function withCompletion(
  stored: AttemptRecord[],
  job: Pick<JobRecord, "state" | "attempts" | "startedAt" | "finishedAt" | "worker">,
): AttemptRecord[] {
  if (job.state !== "completed") return stored;
  const all = [...stored, {
    attempt: job.attempts,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt ?? 0,
    worker: job.worker,
    outcome: "completed" as const,
    error: null,
  }];
  return all.slice(-ATTEMPT_HISTORY_LIMIT);
}
