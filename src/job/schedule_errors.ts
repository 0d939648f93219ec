/**
 * Schedule names, and the error for a schedule that does not exist.
 *
 * @module
 */
import { SluiceError } from "./errors.ts";

const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$/;

/** Throws a `TypeError` naming `where` unless `name` is a valid schedule name. */
export function assertScheduleName(name: unknown, where: string): asserts name is string {
  if (typeof name !== "string" || !SCHEDULE_NAME.test(name)) {
    throw new TypeError(
      `${where}: invalid schedule name ${JSON.stringify(name)}: use 1-128 letters, digits, ` +
        "'_.:-', starting with a letter or digit",
    );
  }
}

/** No schedule has the given name. */
export class ScheduleNotFoundError extends SluiceError {
  /** The name that was looked up. */
  readonly schedule: string;

  /** Creates the error for `schedule`. */
  constructor(schedule: string) {
    super("SCHEDULE_NOT_FOUND", `schedule ${JSON.stringify(schedule)} not found`);
    this.schedule = schedule;
  }
}
