/**
 * The `cron` option of `define` and `@job`: schedules defined in code, checked when the function
 * is defined (pattern, zone, catch-up policy, name, and the payload against the function's
 * schema), and stored by the engine when it starts work (`engine.work`; see `engine.schedules`).
 *
 * @module
 */
import type { z } from "zod";
import { assertScheduleName } from "../job/schedule_errors.ts";
import { assertCatchUp, type CatchUpPolicy } from "../schedule/catch_up.ts";
import { CronPattern, DEFAULT_TIME_ZONE } from "../schedule/cron.ts";

/** One schedule of a function, as `define({ cron: [...] })` takes it. */
export interface CronEntry<P = unknown> {
  /** Cron pattern: 5 fields, or 6 with seconds first, or an alias such as `@daily`. */
  pattern: string;
  /** IANA time zone its wall times are read in (default `"UTC"`). */
  tz?: string;
  /** The payload of every tick (checked against the function's schema; default none). */
  payload?: P;
  /** Schedule name (default: the function's name; each entry of a function needs its own). */
  name?: string;
  /** What it fires after downtime: `"skip"` (default), `"one"` or `"all"`. */
  catchUp?: CatchUpPolicy;
}

/** A checked entry. */
export interface CheckedCronEntry {
  /** Schedule name. */
  readonly name: string;
  /** Pattern. */
  readonly pattern: string;
  /** Time zone. */
  readonly tz: string;
  /** The payload as given (the schema's output is encoded when the schedule is stored). */
  readonly payload: unknown;
  /** Catch-up policy. */
  readonly catchUp: CatchUpPolicy;
}

const KNOWN = new Set(["pattern", "tz", "payload", "name", "catchUp"]);

/** Checks the `cron` option of function `fn` (`where` names it in messages). */
export function checkCronEntries(
  value: unknown,
  fn: string,
  schema: z.ZodType,
  where: string,
): readonly CheckedCronEntry[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) {
    throw new TypeError(`${where}: cron must be an array of { pattern, tz?, payload?, name? }`);
  }
  const names = new Set<string>();
  return Object.freeze(value.map((entry: unknown, i) => {
    const at = `${where}: cron[${i}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new TypeError(`${at} must be an object with a pattern`);
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!KNOWN.has(key)) throw new TypeError(`${at}: unknown option ${JSON.stringify(key)}`);
    }
    const name = e.name ?? fn;
    assertScheduleName(name, at);
    if (names.has(name)) {
      throw new TypeError(`${at}: two entries are named ${JSON.stringify(name)}; name each one`);
    }
    names.add(name);
    const cron = CronPattern.parse(e.pattern, e.tz ?? DEFAULT_TIME_ZONE, at);
    const catchUp = e.catchUp ?? "skip";
    assertCatchUp(catchUp, at);
    const parsed = schema.safeParse(e.payload);
    if (!parsed.success) {
      const issues = (parsed.error as z.ZodError).issues
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
      throw new TypeError(`${at}: the payload does not fit the function's schema: ${issues}`);
    }
    return Object.freeze({ name, pattern: cron.pattern, tz: cron.tz, payload: e.payload, catchUp });
  }));
}
