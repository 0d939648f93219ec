/**
 * Comparing replies and states of the two stores: `plain` turns a reply into comparable data
 * (bytes as text, no undefined fields), `firstDifference` names the first place where two plain
 * values differ.
 *
 * @module
 */

const decoder = new TextDecoder();

/** `value` with byte arrays as `"bytes:<utf-8 text>"` and undefined object fields dropped. */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${decoder.decode(value)}`;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined) out[key] = plain(field);
    }
    return out;
  }
  return value;
}

/**
 * The path of the first difference between plain values `a` and `b` (`""` for the values
 * themselves, else like `.jobs.j3.attempts` or `[2].id`), or null when they are equal.
 */
export function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  if (Object.is(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return a.length === b.length ? null : `${path}.length`;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference(a[key], b[key], `${path}.${key}`);
      if (found !== null) return found;
    }
    return null;
  }
  return path;
}

/** The value at `path` (as `firstDifference` writes it) inside `value`, or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  let at = value;
  for (const [, key, index] of path.matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (key === "length" && Array.isArray(at)) return at.length;
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key ?? index!];
  }
  return at;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
