/**
 * Checks of the failure-handling options of `createEngine` (callbacks, graces), and the bounded
 * wait for callbacks on `close`.
 *
 * @module
 */
import type { FailureHooks } from "../alerts/failure_hooks.ts";

/** Longest wait of `engine.close()` for failure callbacks still running (ms). */
export const CALLBACKS_CLOSE_WAIT_MS = 1_000;

/** The engine-wide failure callbacks of `options`; throws a `TypeError` for a non-function. */
export function checkHooks(options: FailureHooks): FailureHooks {
  for (const name of ["onFailure", "onDead"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new TypeError(`createEngine: ${name} must be a function, got ${typeof options[name]}`);
    }
  }
  return { onFailure: options.onFailure, onDead: options.onDead };
}

/** The graces of `options`; throws a `RangeError` unless each is a whole number of ms >= 0. */
export function checkGraces(
  options: { abortGraceMs?: number; cancelGraceMs?: number },
): { abortGraceMs?: number; cancelGraceMs?: number } {
  const out: { abortGraceMs?: number; cancelGraceMs?: number } = {};
  for (const name of ["abortGraceMs", "cancelGraceMs"] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`createEngine: ${name} must be a whole number of ms >= 0, got ${value}`);
    }
    out[name] = value;
  }
  return out;
}

/** Waits for `promise`, at most `ms`. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
