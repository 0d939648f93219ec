/**
 * Dead-letter queries, shared by both stores so their filters, scan order, budget and cursors
 * cannot drift apart: `resolveDeadQuery` checks a `DeadLetterQuery`; `scanDead` is the scan the
 * memory store runs and `lua/_dead_letters.lua` mirrors step by step.
 *
 * @module
 */
import { jobIdProblem } from "../job/ids.ts";
import { MAX_PAGE } from "./_shared.ts";
import type { DeadLetterQuery } from "./store.ts";

/** Dead jobs one dead-letter call examines at most (a scan continues with its cursor). */
export const DEAD_SCAN_BUDGET = 5_000;

/** Default `limit` of `listDead`. */
export const DEFAULT_DEAD_PAGE = 50;

/** Default `limit` of `requeueDead` and `purgeDead`. */
export const DEFAULT_DEAD_BATCH = 1_000;

/** A checked `DeadLetterQuery`; absent text criteria are "", absent times null. */
export interface ResolvedDeadQuery {
  /** The queue. */
  queue: string;
  /** Only these ids, or null to scan. */
  ids: string[] | null;
  /** Function name, or "". */
  name: string;
  /** Error text, or "". */
  errorContains: string;
  /** finishedAt >= after, or null. */
  after: number | null;
  /** finishedAt < before, or null. */
  before: number | null;
  /** Jobs per call. */
  limit: number;
  /** Where the scan resumes: the first job not examined yet. */
  cursor: { score: number; id: string } | null;
}

/** Checks `query` for `verb`; throws a `TypeError` or `RangeError` naming the bad field. */
export function resolveDeadQuery(
  query: DeadLetterQuery,
  defaultLimit: number,
  verb: string,
): ResolvedDeadQuery {
  if (typeof query !== "object" || query === null) {
    throw new TypeError(`${verb}: the query must be an object with a queue`);
  }
  if (typeof query.queue !== "string" || query.queue === "") {
    throw new TypeError(`${verb}: queue must be a queue name, got ${JSON.stringify(query.queue)}`);
  }
  const text = (value: unknown, field: string): string => {
    if (value === undefined) return "";
    if (typeof value !== "string") {
      throw new TypeError(`${verb}: ${field} must be a string, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const time = (value: unknown, field: string): number | null => {
    if (value === undefined) return null;
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${verb}: ${field} must be epoch ms, got ${JSON.stringify(value)}`);
    }
    return value as number;
  };
  const limit = query.limit ?? defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new RangeError(
      `${verb}: limit must be a whole number from 1 to ${MAX_PAGE}, got ${limit}`,
    );
  }
  return {
    queue: query.queue,
    ids: resolveIds(query.ids, verb),
    name: text(query.name, "name"),
    errorContains: text(query.errorContains, "errorContains"),
    after: time(query.failedAfter, "failedAfter"),
    before: time(query.failedBefore, "failedBefore"),
    limit,
    cursor: parseDeadCursor(query.cursor, verb),
  };
}

function resolveIds(ids: unknown, verb: string): string[] | null {
  if (ids === undefined) return null;
  if (!Array.isArray(ids) || ids.length > MAX_PAGE) {
    throw new RangeError(`${verb}: ids must be an array of at most ${MAX_PAGE} job ids`);
  }
  for (const id of ids) {
    const problem = jobIdProblem(id);
    if (problem) throw new TypeError(`${verb}: job id ${JSON.stringify(id)} ${problem}`);
  }
  return [...ids];
}

/** The cursor that resumes a scan at the dead job (`score` = finishedAt, `id`). */
export function formatDeadCursor(score: number, id: string): string {
  return `${score}:${id}`;
}

function parseDeadCursor(cursor: unknown, verb: string): ResolvedDeadQuery["cursor"] {
  if (cursor === undefined || cursor === null || cursor === "") return null;
  const match = typeof cursor === "string" ? /^(\d{1,16}):(.+)$/s.exec(cursor) : null;
  if (!match || !Number.isSafeInteger(Number(match[1]))) {
    throw new RangeError(`${verb}: invalid cursor ${JSON.stringify(cursor)}`);
  }
  return { score: Number(match[1]), id: match[2]! };
}

/**
 * The text `errorContains` is matched against: `"<name>: <message>"` of the error JSON (a field
 * that is not a string counts as ""), or the raw text when it is not a JSON object or array.
 */
export function deadErrorText(error: string | null): string {
  if (error === null) return "";
  try {
    const parsed = JSON.parse(error);
    if (typeof parsed === "object" && parsed !== null) {
      const str = (value: unknown): string => typeof value === "string" ? value : "";
      return `${str(parsed.name)}: ${str(parsed.message)}`;
    }
  } catch {
    // not JSON: matched as it is
  }
  return error;
}

/** A dead job as the scan sees it. */
export interface DeadCandidate {
  /** Function name. */
  name: string;
  /** Last error (JSON text) or null. */
  error: string | null;
  /** When it was dead-lettered. */
  finishedAt: number | null;
}

/** True when `job` meets the name, error and time criteria of `query`. */
export function matchesDead(job: DeadCandidate, query: ResolvedDeadQuery): boolean {
  if (query.name !== "" && job.name !== query.name) return false;
  const at = job.finishedAt ?? 0;
  if (query.after !== null && at < query.after) return false;
  if (query.before !== null && at >= query.before) return false;
  return query.errorContains === "" || deadErrorText(job.error).includes(query.errorContains);
}

/**
 * Scans a queue's dead index (`entries`: sorted by score, then id) for `query` without ids:
 * from the cursor's job (or, when it is gone, the first job at or after its score), skipping jobs
 * before `after`, stopping at `before`. Calls `visit` for each match, at most `limit` matches
 * and `DEAD_SCAN_BUDGET` examined jobs. Returns the cursor of the first job not examined, or null.
 */
export function scanDead(
  entries: readonly { id: string; score: number }[],
  query: ResolvedDeadQuery,
  read: (id: string) => DeadCandidate,
  visit: (id: string) => void,
): string | null {
  let start = 0;
  if (query.after !== null) start = countBelow(entries, query.after);
  if (query.cursor) {
    const { score, id } = query.cursor;
    const at = entries.findIndex((e) => e.id === id && e.score === score);
    start = Math.max(start, at >= 0 ? at : countBelow(entries, score));
  }
  let examined = 0;
  let taken = 0;
  for (let i = start; i < entries.length; i++) {
    const { id, score } = entries[i]!;
    if (query.before !== null && score >= query.before) return null;
    if (taken >= query.limit || examined >= DEAD_SCAN_BUDGET) return formatDeadCursor(score, id);
    examined++;
    if (matchesDead(read(id), query)) {
      visit(id);
      taken++;
    }
  }
  return null;
}

function countBelow(entries: readonly { score: number }[], score: number): number {
  let n = 0;
  while (n < entries.length && entries[n]!.score < score) n++;
  return n;
}
