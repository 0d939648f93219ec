/**
 * IANA time zones for cron schedules: checking a zone name, the zone's offset at an instant, the
 * wall-clock time it shows, and the instant a wall-clock time stands for, by the one rule Sluice
 * applies to daylight-saving changes:
 *
 * - a wall time that does not exist (clocks jump forward over it) stands for the first instant
 *   after the jump: 02:30 on a day New York jumps from 02:00 to 03:00 is 03:00 EDT;
 * - a wall time that occurs twice (clocks fall back over it) stands for its first occurrence:
 *   01:30 on a day New York falls back from 02:00 EDT to 01:00 EST is 01:30 EDT.
 *
 * Wall times are "floating" epoch milliseconds: the wall-clock reading written as if it were
 * UTC (`Date.UTC(year, month, day, hour, ...)`). Offsets come from the runtime's `Intl` data.
 *
 * @module
 */

const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The formatter that reads wall-clock fields in `tz` (one per zone, kept). */
function format(tz: string): Intl.DateTimeFormat {
  let f = FORMATS.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    FORMATS.set(tz, f);
  }
  return f;
}

/** Throws a `RangeError` naming `where` unless `tz` is an IANA time zone this runtime knows. */
export function assertTimeZone(tz: unknown, where: string): asserts tz is string {
  if (typeof tz !== "string" || tz.length === 0 || tz.length > 64) {
    throw new RangeError(`${where}: tz must be an IANA time zone name such as "Europe/Paris"`);
  }
  try {
    format(tz);
  } catch {
    throw new RangeError(
      `${where}: unknown time zone ${JSON.stringify(tz)}; use an IANA name such as ` +
        `"America/New_York", "Europe/Paris" or "UTC"`,
    );
  }
}

/** The offset of `tz` from UTC at `instant` (epoch ms), in ms (positive east of Greenwich). */
export function offsetAt(tz: string, instant: number): number {
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of format(tz).formatToParts(instant)) {
    if (part.type === "era") bc = part.value === "BC";
    else if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const year = bc ? 1 - fields.year! : fields.year!;
  const wall = new Date(0).setUTCFullYear(year, fields.month! - 1, fields.day!) +
    ((fields.hour! * 60 + fields.minute!) * 60 + fields.second!) * 1000;
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The wall-clock time `tz` shows at `instant`, as floating ms. */
export function wallTimeAt(tz: string, instant: number): number {
  return instant + offsetAt(tz, instant);
}

/** A day: no zone changes its offset twice within one, nor by more than one. */
const DAY = 86_400_000;

/**
 * The instant that wall time `wall` (floating ms) stands for in `tz`: its only occurrence, its
 * first when it occurs twice, or the end of the jump when it does not exist (see the module doc).
 */
export function instantOfWall(tz: string, wall: number): number {
  const before = offsetAt(tz, wall - DAY);
  const after = offsetAt(tz, wall + DAY);
  let first: number | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wall - offset;
    if (offsetAt(tz, instant) === offset && (first === null || instant < first)) first = instant;
  }
  if (first !== null) return first;
  // No offset fits: the clocks jumped over `wall`. The jump happened between the instant the
  // wall time would be under the new offset and under the old one; find it to the millisecond.
  let low = wall - Math.max(before, after);
  let high = wall - Math.min(before, after);
  const old = offsetAt(tz, low);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(tz, mid) === old) low = mid;
    else high = mid;
  }
  return high;
}
