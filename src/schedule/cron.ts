/**
 * Cron patterns in a time zone: `CronPattern.parse(pattern, tz)` checks the pattern (through
 * cron-parser: five fields, or six with seconds first, or an alias such as `@daily`) and the
 * zone, and computes fire times as epoch ms.
 *
 * cron-parser matches the fields against wall-clock times in UTC, where no daylight saving
 * happens; each matching wall time then becomes an instant in the schedule's zone by the rule of
 * `time_zone.ts` (a wall time that does not exist fires once, at the first instant after the
 * jump; one that occurs twice fires once, at its first occurrence). Several wall times that
 * stand for one instant fire once. cron-parser's own zone handling is not used: it shifts a
 * skipped 02:30 to 03:30 rather than the end of the jump, and loops without end on the
 * 30-minute changes of Australia/Lord_Howe.
 *
 * @module
 */
import { type CronExpression, CronExpressionParser } from "cron-parser";
import { assertTimeZone, instantOfWall, offsetAt, wallTimeAt } from "./time_zone.ts";

/** The zone of a schedule that names none. */
export const DEFAULT_TIME_ZONE = "UTC";

/** Longest pattern accepted. */
const MAX_PATTERN_LENGTH = 256;

/** Wall times looked at for one fire time at most (a second-by-second hour twice over). */
const MAX_STEPS = 10_000;

const DAY = 86_400_000;

/** A checked cron pattern in a time zone. */
export class CronPattern {
  /** The pattern as given. */
  readonly pattern: string;
  /** The IANA time zone its wall times are read in. */
  readonly tz: string;

  private constructor(pattern: string, tz: string) {
    this.pattern = pattern;
    this.tz = tz;
  }

  /**
   * Checks `pattern` and `tz` (default UTC); throws a `TypeError` or `RangeError` naming
   * `where`, the pattern and the problem. A pattern that never fires is refused too.
   */
  static parse(pattern: unknown, tz: unknown = DEFAULT_TIME_ZONE, where = "cron"): CronPattern {
    if (typeof pattern !== "string" || pattern.trim() === "") {
      throw new TypeError(`${where}: pattern must be a cron pattern such as "0 9 * * *"`);
    }
    assertTimeZone(tz, where);
    const bad = (why: string) =>
      new RangeError(`${where}: invalid cron pattern ${JSON.stringify(pattern)}: ${why}`);
    const fields = pattern.trim().split(/\s+/);
    if (pattern.length > MAX_PATTERN_LENGTH) throw bad("too long");
    if (!(fields.length === 1 && fields[0]!.startsWith("@")) && !(fields.length in FIELDS)) {
      throw bad(
        "use 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, " +
          "or an alias such as @daily",
      );
    }
    if (fields.some((f) => /(^|,)H/i.test(f))) throw bad("H (hashed) values are not supported");
    const cron = new CronPattern(pattern.trim(), tz);
    try {
      cron.#expression(0);
      cron.nextAfter(Date.UTC(2026, 0, 1));
    } catch (error) {
      throw bad((error as Error).message);
    }
    return cron;
  }

  /** The first fire time after `instant`. */
  nextAfter(instant: number): number {
    return this.after(instant).next().value as number;
  }

  /** The first `count` fire times after `instant`, in order. */
  upcoming(instant: number, count: number): number[] {
    const out: number[] = [];
    if (count <= 0) return out;
    for (const t of this.after(instant)) {
      out.push(t);
      if (out.length >= count) break;
    }
    return out;
  }

  /**
   * The latest fire times from `from` to `to` (both included), at most `limit`, oldest first;
   * and whether there were more, older ones.
   */
  latest(from: number, to: number, limit: number): { ticks: number[]; more: boolean } {
    const ticks: number[] = [];
    let more = false;
    for (const t of this.before(to)) {
      if (t < from) break;
      if (ticks.length >= limit) {
        more = true;
        break;
      }
      ticks.push(t);
    }
    return { ticks: ticks.reverse(), more };
  }

  /** The fire times after `instant`, ascending without end. */
  *after(instant: number): Generator<number, never> {
    const expression = this.#expression(wallTimeAt(this.tz, instant));
    let last = instant;
    for (let steps = 0;; steps++) {
      const t = instantOfWall(this.tz, expression.next().getTime());
      if (t > last) {
        yield t;
        last = t;
        steps = 0;
      } else if (t === last && t > instant) {
        // inside a jump: every wall time left in it stands for `t`; go on from the jump's end
        expression.reset(new Date(wallTimeAt(this.tz, t)));
      } else if (steps > MAX_STEPS) {
        throw new Error(`cron ${this.pattern}: no fire time found after ${last}`);
      }
    }
  }

  /** The fire times at or before `instant`, descending. */
  *before(instant: number): Generator<number, void> {
    // Wall times after the reading at `instant` may stand for earlier instants (a repeated
    // hour): start from the latest reading any nearby offset gives, skip what is after it.
    const shifts = [offsetAt(this.tz, instant - DAY), offsetAt(this.tz, instant + DAY)];
    const start = instant + Math.max(offsetAt(this.tz, instant), ...shifts);
    const expression = this.#expression(start + 1);
    let last = Infinity;
    for (let steps = 0;; steps++) {
      let wall: number;
      try {
        wall = expression.prev().getTime();
      } catch {
        return; // before the first time cron-parser can represent
      }
      const t = instantOfWall(this.tz, wall);
      if (t <= instant && t < last) {
        yield t;
        last = t;
        steps = 0;
      } else if (t === last) {
        // inside a jump: every wall time before this one in it stands for `t`; skip them
        expression.reset(new Date(wallTimeAt(this.tz, t - 1) + 1));
      } else if (steps > MAX_STEPS) {
        return;
      }
    }
  }

  /** A cron-parser iterator over matching wall times (in UTC, floating) from `wall`. */
  #expression(wall: number): CronExpression {
    return CronExpressionParser.parse(this.pattern, {
      tz: "UTC",
      currentDate: new Date(wall),
      strict: false,
    });
  }
}

/** Field counts accepted: 5 (minute first) or 6 (second first). */
const FIELDS: Record<number, true> = { 5: true, 6: true };

const PARSED = new Map<string, CronPattern>();

/** `CronPattern.parse(pattern, tz)` of a stored (checked) pattern, kept for the next call. */
export function storedPattern(pattern: string, tz: string): CronPattern {
  const key = `${tz}\n${pattern}`;
  let cron = PARSED.get(key);
  if (!cron) {
    if (PARSED.size >= 1_000) PARSED.clear();
    PARSED.set(key, cron = CronPattern.parse(pattern, tz, `cron ${JSON.stringify(pattern)}`));
  }
  return cron;
}
