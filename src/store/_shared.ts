/**
 * Constants and helpers both stores share, so their behaviour cannot drift apart.
 *
 * @module
 */
import type { JobErrorInfo } from "../job/job.ts";
import type { JobListQuery, RetentionConfig } from "./store.ts";

/** Default retention: the newest 10,000 completed and 10,000 cancelled jobs per queue. */
export const DEFAULT_RETENTION: RetentionConfig = { keepFinished: 10_000 };

/** Due delayed jobs promoted per queue by one `reserve` or `promoteDue` call, at most. */
export const PROMOTE_BATCH = 1_000;

/** Expired leases handled by one `reclaimExpired` call, at most. */
export const RECLAIM_BATCH = 1_000;

/** The error recorded on a job whose lease expired during its final attempt. */
export function stalledError(attempts: number, maxAttempts: number): JobErrorInfo {
  return {
    name: "StalledError",
    message: `lease expired during attempt ${attempts} of ${maxAttempts} ` +
      "(the worker died or stopped renewing); no attempts left",
  };
}

/** Largest page `listJobs` returns. */
export const MAX_PAGE = 1_000;

/** Offset and limit of a `listJobs` query; throws a `RangeError` for a bad cursor or limit. */
export function parsePage(query: JobListQuery): { offset: number; limit: number } {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new RangeError(
      `listJobs: limit must be a whole number from 1 to ${MAX_PAGE}, got ${limit}`,
    );
  }
  const offset = query.cursor === undefined || query.cursor === "" ? 0 : Number(query.cursor);
  if (!/^\d{1,15}$/.test(query.cursor ?? "0") || !Number.isSafeInteger(offset)) {
    throw new RangeError(`listJobs: invalid cursor ${JSON.stringify(query.cursor)}`);
  }
  return { offset, limit };
}
