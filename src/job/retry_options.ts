/**
 * Checks of the `retry` option (a bad value throws, naming where it was given, the field and the
 * value), and the JSON form in which a per-enqueue backoff travels with its job.
 *
 * @module
 */
import { assertAttempts } from "./attempts.ts";
import type { Backoff, DeclarativeBackoff, RetryOptions } from "./backoff.ts";

const FIELDS: Record<string, readonly string[]> = {
  fixed: ["type", "delay"],
  exponential: ["type", "base", "factor", "max", "jitter"],
  schedule: ["type", "delays"],
};
const JITTERS: readonly unknown[] = ["none", "full", "equal", "decorrelated"];
const MAX_SCHEDULE = 1_000;

function show(value: unknown): string {
  return typeof value === "function" ? "a function" : JSON.stringify(value) ?? String(value);
}

/** Checks a backoff strategy; returns it frozen. Throws a `TypeError` or `RangeError`. */
export function checkBackoff(value: unknown, where: string): Backoff {
  if (typeof value === "function") return value as Backoff;
  const b = value as Record<string, unknown>;
  const fields = typeof b === "object" && b !== null ? FIELDS[String(b.type)] : undefined;
  if (!fields) {
    throw new TypeError(
      `${where}: backoff must be { type: "fixed" | "exponential" | "schedule", ... } or a ` +
        `function, got ${show(value)}`,
    );
  }
  for (const key of Object.keys(b)) {
    if (!fields.includes(key)) {
      throw new TypeError(`${where}: backoff ${b.type} has no field ${JSON.stringify(key)}`);
    }
  }
  const ms = (field: string, min: number): void => {
    const v = b[field];
    if (!Number.isSafeInteger(v) || (v as number) < min) {
      throw new RangeError(
        `${where}: backoff ${field} must be a whole number of ms >= ${min}, got ${show(v)}`,
      );
    }
  };
  if (b.type === "fixed") ms("delay", 0);
  if (b.type === "exponential") {
    ms("base", 1);
    if (b.max !== undefined) ms("max", b.base as number);
    const factor = b.factor;
    if (factor !== undefined && !(typeof factor === "number" && factor >= 1 && factor <= 100)) {
      throw new RangeError(`${where}: backoff factor must be from 1 to 100, got ${show(factor)}`);
    }
    if (b.jitter !== undefined && !JITTERS.includes(b.jitter)) {
      throw new TypeError(
        `${where}: backoff jitter must be one of ${JITTERS.join(", ")}, got ${show(b.jitter)}`,
      );
    }
  }
  if (b.type === "schedule") {
    const delays = b.delays;
    if (!Array.isArray(delays) || delays.length === 0 || delays.length > MAX_SCHEDULE) {
      throw new TypeError(
        `${where}: backoff delays must be a list of 1 to ${MAX_SCHEDULE} delays, got ${
          show(delays)
        }`,
      );
    }
    delays.forEach((delay, i) => checkDelay(delay, i, where));
    return Object.freeze({ type: "schedule", delays: Object.freeze([...delays]) });
  }
  return Object.freeze({ ...b }) as unknown as Backoff;
}

function checkDelay(value: unknown, index: number, where: string): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new RangeError(
      `${where}: backoff delays[${index}] must be a whole number of ms >= 0, got ${show(value)}`,
    );
  }
}

/** Checks the `retry` option given at `where`; returns it frozen. */
export function checkRetryOptions(value: unknown, where: string): Readonly<RetryOptions> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: retry must be { attempts?, backoff? }, got ${show(value)}`);
  }
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (key !== "attempts" && key !== "backoff") {
      throw new TypeError(`${where}: retry has no option ${JSON.stringify(key)}`);
    }
  }
  const out: RetryOptions = {};
  if (r.attempts !== undefined) {
    assertAttempts(r.attempts, `${where}: retry`);
    out.attempts = r.attempts;
  }
  if (r.backoff !== undefined) out.backoff = checkBackoff(r.backoff, where);
  return Object.freeze(out);
}

/** The JSON text of a backoff stored with a job. A function cannot be stored: it throws. */
export function encodeBackoff(backoff: Backoff, where: string): string {
  if (typeof backoff === "function") {
    throw new TypeError(
      `${where}: a backoff function cannot travel with a job; give it to define() or @job, ` +
        `or use { type: "fixed" | "exponential" | "schedule" } here`,
    );
  }
  return JSON.stringify(backoff satisfies DeclarativeBackoff);
}

/** The backoff stored with a job, or null when there is none or it is not valid. */
export function decodeBackoff(text: string | null | undefined): Backoff | null {
  if (!text) return null;
  try {
    return checkBackoff(JSON.parse(text), "stored backoff");
  } catch {
    return null;
  }
}
