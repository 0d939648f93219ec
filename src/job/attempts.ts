/**
 * Attempt limits: how many runs a job may get, the first included.
 *
 * @module
 */

/** Default attempts per job. */
export const DEFAULT_ATTEMPTS = 3;

/** Most attempts a job may be given. */
export const MAX_ATTEMPTS = 1_000;

/** Throws a `RangeError` unless `attempts` is a whole number from 1 to `MAX_ATTEMPTS`. */
export function assertAttempts(attempts: unknown, where: string): asserts attempts is number {
  if (
    !Number.isInteger(attempts) || (attempts as number) < 1 || (attempts as number) > MAX_ATTEMPTS
  ) {
    throw new RangeError(
      `${where}: attempts must be a whole number from 1 to ${MAX_ATTEMPTS}, ` +
        `got ${JSON.stringify(attempts)}`,
    );
  }
}
