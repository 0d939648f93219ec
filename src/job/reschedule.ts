/**
 * The argument of `engine.reschedule`: a new due time, as a time or as a delay from now.
 *
 * @module
 */
import { MAX_SCHEDULE_AHEAD_MS } from "./options.ts";

/** When a rescheduled job is due: at `runAt`, or `delay` ms from now. */
export type RescheduleTo = { runAt: Date | number } | { delay: number };

/**
 * The due time of `to` as the store takes it (a delay stays relative: the store applies it on
 * its own clock). Throws a `TypeError` or `RangeError` naming the problem.
 */
export function checkReschedule(
  to: unknown,
  now: number,
): { runAt: number } | { delay: number } {
  const o = to as Record<string, unknown> | null;
  const has = (key: string) => typeof o === "object" && o !== null && o[key] !== undefined;
  if (
    has("runAt") === has("delay") ||
    Object.keys(o ?? {}).some((k) => k !== "runAt" && k !== "delay")
  ) {
    throw new TypeError(
      "reschedule: give { runAt } (a Date or epoch ms) or { delay } (ms), one of them",
    );
  }
  if (has("delay")) {
    const delay = o!.delay;
    if (typeof delay !== "number" || !(delay >= 0 && delay <= MAX_SCHEDULE_AHEAD_MS)) {
      throw new RangeError(
        `reschedule: delay must be a number of ms from 0 to ${MAX_SCHEDULE_AHEAD_MS} (a year), ` +
          `got ${JSON.stringify(delay)}`,
      );
    }
    return { delay: Math.ceil(delay) };
  }
  const value = o!.runAt;
  const at = value instanceof Date ? value.getTime() : value;
  if (typeof at !== "number" || !Number.isFinite(at) || at > now + MAX_SCHEDULE_AHEAD_MS) {
    throw new RangeError(
      `reschedule: runAt must be a Date or epoch ms at most a year ahead, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return { runAt: Math.ceil(at) };
}
