/**
 * Constants and helpers both stores share, so their behaviour cannot drift apart.
 *
 * @module
 */
import type { JobErrorInfo } from "../job/job.ts";
import { laneIndex } from "../job/lanes.ts";
import type { JobListQuery, ReserveRequest, RetentionConfig } from "./store.ts";

/** Default retention: the newest 10,000 completed, cancelled and dead jobs (each) per queue. */
export const DEFAULT_RETENTION: RetentionConfig = { keepFinished: 10_000, keepDead: 10_000 };

/** Log lines kept per job (`ctx.log`), the newest. */
export const JOB_LOG_LIMIT = 200;

/** Events the event stream keeps by default, about (as BullMQ's default stream length). */
export const DEFAULT_EVENTS = 10_000;

/** Due delayed jobs promoted per queue by one `reserve` or `promoteDue` call, at most. */
export const PROMOTE_BATCH = 1_000;

/** Expired leases handled by one `reclaimExpired` call, at most. */
export const RECLAIM_BATCH = 1_000;

/** The error of an attempt whose lease expired, in the events of a stall that was not its last. */
export const STALLED_RETRIED =
  '{"name":"StalledError","message":"lease expired (the worker died or stopped renewing)"}';

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

/** What a `reserve` request asks for, normalized the same way for both stores. */
export interface ReserveShape {
  /** Jobs to lease started (`count`, at least 0). */
  started: number;
  /** Jobs to lease beyond them, prefetched (`prefetch`, at least 0). */
  prefetch: number;
  /** Indexes of the lanes to take from, ascending; undefined for all lanes. */
  lanes?: number[];
  /** Most started jobs from the normal, low and batch lanes; null for no limit. */
  lowerLimit: number | null;
}

/**
 * True when a reserve of `shape` over `queueCount` queues can lease nothing: it asks for no job,
 * names no queue or allows no lane. The stores then return at once, without looking (and without
 * an idle answer).
 */
export function reservesNothing(shape: ReserveShape, queueCount: number): boolean {
  return shape.started + shape.prefetch <= 0 || queueCount === 0 || shape.lanes?.length === 0;
}

/** Index of the first lane below `high`: lanes from here on count against `lowerLaneLimit`. */
export const FIRST_LOWER_LANE = 2;

/** The normalized shape of a `reserve` request; throws a `RangeError` for a fractional count. */
export function reserveShape(request: ReserveRequest): ReserveShape {
  const prefetchAsked = request.prefetch ?? 0;
  if (!Number.isInteger(request.count) || !Number.isInteger(prefetchAsked)) {
    throw new RangeError(
      `reserve: count and prefetch must be whole numbers, not ${request.count} and ${prefetchAsked}`,
    );
  }
  const shape: ReserveShape = {
    started: Math.max(request.count, 0),
    prefetch: Math.max(prefetchAsked, 0),
    lowerLimit: request.lowerLaneLimit === undefined
      ? null
      : Math.max(Math.floor(request.lowerLaneLimit), 0),
  };
  if (request.lanes) {
    const indexes = new Set(request.lanes.map(laneIndex).filter((i) => i >= 0));
    shape.lanes = [...indexes].sort((a, b) => a - b);
  }
  return shape;
}

/** Largest page of `dependents`. */
export const MAX_DEPENDENTS_PAGE = 1_000;

/** Offset and limit of a `dependents` page (default 0 and 100); throws a `RangeError`. */
export function dependentsPage(page: { offset?: number; limit?: number }): {
  offset: number;
  limit: number;
} {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? 100;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`dependents: offset must be a whole number >= 0, got ${offset}`);
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DEPENDENTS_PAGE) {
    throw new RangeError(
      `dependents: limit must be a whole number from 1 to ${MAX_DEPENDENTS_PAGE}, got ${limit}`,
    );
  }
  return { offset, limit };
}

/** Most ids one `getJobs` call reads. */
export const MAX_GET_JOBS = 1_000;

/** Throws a `RangeError` unless `ids` is an array of at most `MAX_GET_JOBS` strings. */
export function checkIds(ids: readonly string[]): void {
  if (
    !Array.isArray(ids) || ids.length > MAX_GET_JOBS || ids.some((id) => typeof id !== "string")
  ) {
    throw new RangeError(`getJobs: ids must be an array of at most ${MAX_GET_JOBS} job ids`);
  }
}
