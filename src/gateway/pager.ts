/**
 * Cursor pagination across several sources (queues, or queue and state pairs), each paged by the
 * store with its own cursor. The gateway's cursor names the source and its inner cursor, so a
 * listing resumes where it stopped even when new queues appeared meanwhile. A request makes a
 * bounded number of store calls: with a selective filter a page may hold fewer items than asked
 * while `nextCursor` says more may follow.
 *
 * @module
 */
import { ApiError } from "./errors.ts";

/** One page of a source, as the store returns it. */
export interface SourcePage<T> {
  /** Items. */
  items: T[];
  /** The source's cursor of its next page, or null. */
  nextCursor: string | null;
}

/** A page across sources. */
export interface CrossPage<T> {
  /** Items, in source order. */
  items: T[];
  /** The cursor to continue, or null when every source is exhausted. */
  nextCursor: string | null;
}

/** How to page. */
export interface CrossPageRequest<T> {
  /** The sources, by a stable key (e.g. `"emails/waiting"`), in listing order. */
  sources: readonly string[];
  /** Reads one page of a source. */
  read: (source: string, cursor: string | undefined, limit: number) => Promise<SourcePage<T>>;
  /** Items wanted. */
  limit: number;
  /** The cursor of the previous page. */
  cursor?: string | undefined;
  /** Keeps only the items it accepts (a filter the store cannot apply). */
  keep?: (item: T) => boolean;
  /** Store calls allowed for one page (default 25). */
  budget?: number;
}

interface Position {
  source: string;
  inner: string | undefined;
}

function encode(position: Position): string {
  const text = JSON.stringify([position.source, position.inner ?? null]);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function decode(cursor: string, sources: readonly string[]): Position {
  try {
    const text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const [source, inner] = JSON.parse(text) as unknown[];
    if (typeof source === "string" && sources.includes(source)) {
      if (inner === null || typeof inner === "string") {
        return { source, inner: inner ?? undefined };
      }
    }
  } catch {
    // reported below
  }
  throw new ApiError(400, "INVALID_CURSOR", "cursor is not valid for this listing", [
    { path: ["cursor"], message: "not a cursor of this listing (same filters?)" },
  ]);
}

/** Reads one page across `request.sources`. */
export async function pageAcross<T>(request: CrossPageRequest<T>): Promise<CrossPage<T>> {
  const { sources, limit, keep } = request;
  const start = request.cursor ? decode(request.cursor, sources) : null;
  let index = start ? sources.indexOf(start.source) : 0;
  let inner = start?.inner;
  let budget = request.budget ?? 25;
  const items: T[] = [];
  while (index < sources.length) {
    if (items.length >= limit || budget-- === 0) {
      return { items, nextCursor: encode({ source: sources[index]!, inner }) };
    }
    const page = await request.read(sources[index]!, inner, limit - items.length);
    items.push(...(keep ? page.items.filter(keep) : page.items));
    if (page.nextCursor === null) {
      index++;
      inner = undefined;
    } else {
      inner = page.nextCursor;
    }
  }
  return { items, nextCursor: null };
}
