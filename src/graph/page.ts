/**
 * Pages of graph views: a `limit` and an offset cursor (opaque to callers), checked the same way
 * for dependents and for graph walks.
 *
 * @module
 */

/** A page request: at most `limit` items, from `cursor` (the `nextCursor` of the page before). */
export interface PageRequest {
  /** Items wanted. */
  limit?: number;
  /** Cursor of the previous page. */
  cursor?: string;
}

/** The offset and limit of `page`; throws a `RangeError` naming `what` for a bad one. */
export function offsetPage(
  page: PageRequest,
  what: string,
  limits: { default: number; max: number },
): { offset: number; limit: number } {
  const limit = page.limit ?? limits.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.max) {
    throw new RangeError(`${what}: limit must be a whole number from 1 to ${limits.max}`);
  }
  const cursor = page.cursor ?? "";
  if (cursor !== "" && !/^\d{1,15}$/.test(cursor)) {
    throw new RangeError(`${what}: invalid cursor ${JSON.stringify(cursor)}`);
  }
  return { offset: cursor === "" ? 0 : Number(cursor), limit };
}

/** The cursor of the page after `offset` + `limit` items, or null when `more` is false. */
export function nextCursor(offset: number, limit: number, more: boolean): string | null {
  return more ? String(offset + limit) : null;
}
