/**
 * Payload matching for the enqueue assertions: an expected payload is a subset of the stored
 * one. Objects match when each expected key matches (other keys are ignored); arrays when they
 * have the same length and each item matches; anything else when it is equal (`Object.is` for
 * primitives, the same time for dates, deep equality for other objects).
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";

/** What an assertion may expect of a payload of type `P`: `P` with every object key optional. */
export type PayloadMatch<P> = unknown extends P ? unknown
  : P extends readonly (infer E)[] ? readonly PayloadMatch<E>[]
  : P extends Date ? P
  : P extends object ? { [K in keyof P]?: PayloadMatch<P[K]> }
  : P;

/** One place where a payload differs from what was expected. */
export interface PayloadDifference {
  /** Where: `payload.to`, `payload.items[2].sku`. */
  path: string;
  /** What was expected there. */
  expected: unknown;
  /** What is there (undefined: missing). */
  actual: unknown;
}

/** The places where `actual` differs from the subset `expected`; none when it matches. */
export function payloadDifferences(
  expected: unknown,
  actual: unknown,
  path = "payload",
): PayloadDifference[] {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return [{ path, expected, actual }];
    return Object.keys(expected).flatMap((key) =>
      payloadDifferences(expected[key], actual[key], `${path}.${key}`)
    );
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [{ path, expected, actual }];
    }
    return expected.flatMap((item, i) => payloadDifferences(item, actual[i], `${path}[${i}]`));
  }
  return sameValue(expected, actual) ? [] : [{ path, expected, actual }];
}

function sameValue(expected: unknown, actual: unknown): boolean {
  if (typeof expected !== "object" || expected === null) return Object.is(expected, actual);
  if (expected instanceof Date) {
    return actual instanceof Date && actual.getTime() === expected.getTime();
  }
  return isDeepStrictEqual(expected, actual);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `value` as short readable text (JSON where it can be), at most `max` characters. */
export function shown(value: unknown, max = 200): string {
  let text: string;
  if (value === undefined) text = "(missing)";
  else if (value instanceof Date) text = value.toISOString();
  else {
    try {
      text = JSON.stringify(value, (_key, v) => typeof v === "bigint" ? `${v}n` : v) ??
        String(value);
    } catch {
      text = String(value); // cyclic
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
