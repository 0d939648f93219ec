/**
 * Cron patterns in time zones: the daylight-saving rule (a wall time that does not exist fires
 * once, at the end of the jump; one that occurs twice fires once, at its first occurrence),
 * 30-minute changes, refused patterns and zones, and the catch-up plans after downtime.
 */
import assert from "node:assert/strict";
import { CronPattern } from "../src/schedule/cron.ts";
import { instantOfWall, offsetAt } from "../src/schedule/time_zone.ts";
import { MAX_CATCH_UP_TICKS, MISFIRE_GRACE_MS, planFiring } from "../src/schedule/catch_up.ts";

const NY = "America/New_York";
const LORD_HOWE = "Australia/Lord_Howe";
const at = (iso: string): number => Date.parse(iso);
const isos = (ticks: number[]): string[] => ticks.map((t) => new Date(t).toISOString());

/** The wall-clock reading of `t` in `tz`, as "YYYY-MM-DD HH:MM". */
function local(tz: string, t: number): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(t);
  const f = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}`;
}

Deno.test("time zones: a skipped wall time is the end of the jump, a repeated one its first occurrence", () => {
  // 2026-03-08 02:30 does not exist in New York: clocks go from 02:00 EST to 03:00 EDT
  assert.equal(instantOfWall(NY, Date.UTC(2026, 2, 8, 2, 30)), at("2026-03-08T07:00:00Z"));
  // 2026-11-01 01:30 happens twice: 05:30Z (EDT), then 06:30Z (EST)
  assert.equal(instantOfWall(NY, Date.UTC(2026, 10, 1, 1, 30)), at("2026-11-01T05:30:00Z"));
  assert.equal(instantOfWall(NY, Date.UTC(2026, 6, 1, 12)), at("2026-07-01T16:00:00Z"));
  assert.equal(offsetAt(LORD_HOWE, at("2026-01-15T00:00:00Z")), 11 * 3_600_000);
  assert.equal(offsetAt(LORD_HOWE, at("2026-07-15T00:00:00Z")), 10.5 * 3_600_000);
});

Deno.test("cron: 0 2 and 30 2 in New York across both 2026 changes fire once a day", () => {
  const spring = at("2026-03-07T00:00:00Z");
  assert.deepEqual(isos(CronPattern.parse("0 2 * * *", NY).upcoming(spring, 3)), [
    "2026-03-07T07:00:00.000Z", // 02:00 EST
    "2026-03-08T07:00:00.000Z", // 02:00 does not exist: 03:00 EDT
    "2026-03-09T06:00:00.000Z", // 02:00 EDT
  ]);
  assert.deepEqual(isos(CronPattern.parse("30 2 * * *", NY).upcoming(spring, 3)), [
    "2026-03-07T07:30:00.000Z",
    "2026-03-08T07:00:00.000Z", // 02:30 does not exist: 03:00 EDT, not 03:30
    "2026-03-09T06:30:00.000Z",
  ]);
  const fall = at("2026-10-31T00:00:00Z");
  assert.deepEqual(isos(CronPattern.parse("0 2 * * *", NY).upcoming(fall, 3)), [
    "2026-10-31T06:00:00.000Z",
    "2026-11-01T07:00:00.000Z", // 02:00 EST, once
    "2026-11-02T07:00:00.000Z",
  ]);
  assert.deepEqual(isos(CronPattern.parse("30 1 * * *", NY).upcoming(fall, 3)), [
    "2026-10-31T05:30:00.000Z",
    "2026-11-01T05:30:00.000Z", // 01:30 EDT; 01:30 EST does not fire again
    "2026-11-02T06:30:00.000Z",
  ]);
});

Deno.test("cron: every 30 minutes over a repeated hour and a skipped one, never twice", () => {
  const every = CronPattern.parse("*/30 * * * *", NY);
  assert.deepEqual(
    every.upcoming(at("2026-11-01T04:45:00Z"), 4).map((t) => local(NY, t)),
    ["2026-11-01 01:00", "2026-11-01 01:30", "2026-11-01 02:00", "2026-11-01 02:30"],
  );
  assert.equal(every.nextAfter(at("2026-11-01T05:30:00Z")), at("2026-11-01T07:00:00Z"));
  // asked from inside the repeated hour (01:10 EST), the next tick is 02:00 EST
  assert.equal(every.nextAfter(at("2026-11-01T06:10:00Z")), at("2026-11-01T07:00:00Z"));
  assert.deepEqual(isos(every.upcoming(at("2026-03-08T06:15:00Z"), 3)), [
    "2026-03-08T06:30:00.000Z", // 01:30 EST
    "2026-03-08T07:00:00.000Z", // 02:00 and 02:30 do not exist: 03:00 EDT, once
    "2026-03-08T07:30:00.000Z",
  ]);
  const seconds = CronPattern.parse("* * * * * *", NY);
  assert.deepEqual(isos(seconds.upcoming(at("2026-03-08T06:59:58Z"), 3)), [
    "2026-03-08T06:59:59.000Z",
    "2026-03-08T07:00:00.000Z",
    "2026-03-08T07:00:01.000Z",
  ]);
});

Deno.test("cron: hourly in Australia/Lord_Howe across its 30-minute changes", () => {
  const hourly = CronPattern.parse("0 * * * *", LORD_HOWE);
  const three = (from: string) =>
    hourly.upcoming(at(from), 3).map((t) => `${new Date(t).toISOString()} ${local(LORD_HOWE, t)}`);
  // 2026-04-05 02:00 LHDT falls back to 01:30 LHST: 01:30-01:59 happen twice, 02:00 once
  assert.deepEqual(three("2026-04-04T13:30:00Z"), [
    "2026-04-04T14:00:00.000Z 2026-04-05 01:00",
    "2026-04-04T15:30:00.000Z 2026-04-05 02:00",
    "2026-04-04T16:30:00.000Z 2026-04-05 03:00",
  ]);
  // 2026-10-04 02:00 LHST jumps to 02:30 LHDT: 02:00 does not exist, it fires at 02:30
  assert.deepEqual(three("2026-10-03T14:00:00Z"), [
    "2026-10-03T14:30:00.000Z 2026-10-04 01:00",
    "2026-10-03T15:30:00.000Z 2026-10-04 02:30",
    "2026-10-03T16:00:00.000Z 2026-10-04 03:00",
  ]);
});

Deno.test("cron: 0 9 in New York is 09:00 local on five days across the spring change", () => {
  const days = CronPattern.parse("0 9 * * *", NY).upcoming(at("2026-03-06T00:00:00Z"), 5);
  assert.deepEqual(days.map((t) => local(NY, t)), [
    "2026-03-06 09:00",
    "2026-03-07 09:00",
    "2026-03-08 09:00",
    "2026-03-09 09:00",
    "2026-03-10 09:00",
  ]);
  assert.equal(days[3]! - days[2]!, 86_400_000);
  assert.equal(days[2]! - days[1]!, 82_800_000, "the day of the change is 23 hours long");
});

Deno.test("cron: a bad pattern or zone is refused with a message that names it", () => {
  const cases: [unknown, unknown, RegExp][] = [
    ["61 * * * *", "UTC", /invalid cron pattern "61 \* \* \* \*".*0-59/],
    ["1 2 3", "UTC", /use 5 fields/],
    ["", "UTC", /pattern must be a cron pattern/],
    ["* * * * * * *", "UTC", /use 5 fields/],
    ["0 0 30 2 *", "UTC", /invalid cron pattern/],
    ["H * * * *", "UTC", /H \(hashed\)/],
    [42, "UTC", /pattern must be/],
    ["0 9 * * *", "Mars/Olympus", /unknown time zone "Mars\/Olympus"/],
    ["0 9 * * *", "", /tz must be an IANA time zone/],
  ];
  for (const [pattern, tz, message] of cases) {
    assert.throws(() => CronPattern.parse(pattern, tz, "schedule x"), message, String(pattern));
  }
  assert.equal(CronPattern.parse("@daily").tz, "UTC");
  assert.equal(
    CronPattern.parse("0 0 29 2 *").nextAfter(at("2026-01-01T00:00:00Z")),
    at("2028-02-29T00:00:00Z"),
  );
});

Deno.test("catch-up: on time fires whatever the policy; after downtime skip, one or all", () => {
  const hourly = CronPattern.parse("0 * * * *");
  const next = at("2026-01-01T00:00:00Z");
  const HOUR = 3_600_000;
  for (const policy of ["skip", "one", "all"] as const) {
    assert.deepEqual(planFiring(hourly, next, policy, next + 250), {
      ticks: [next],
      next: next + HOUR,
      missed: 0,
    }, policy);
  }
  // down from just before 00:00 to 10:00 and a bit: the 10:00 tick is still on time
  const soon = next + 10 * HOUR + MISFIRE_GRACE_MS / 2;
  assert.deepEqual(planFiring(hourly, next, "skip", soon).ticks, [next + 10 * HOUR]);
  // back at 10:30: every tick was missed
  const late = next + 10.5 * HOUR;
  assert.deepEqual(planFiring(hourly, next, "skip", late), {
    ticks: [],
    next: next + 11 * HOUR,
    missed: 2, // at least: the latest, and more before it
  });
  assert.deepEqual(planFiring(hourly, next, "one", late).ticks, [next + 10 * HOUR]);
  const all = planFiring(hourly, next, "all", late);
  assert.deepEqual(all.ticks, Array.from({ length: 11 }, (_, i) => next + i * HOUR));
  assert.equal(all.missed, 0);
  const week = planFiring(hourly, next, "all", next + 7 * 24 * HOUR);
  assert.equal(week.ticks.length, MAX_CATCH_UP_TICKS);
  assert.equal(week.ticks.at(-1), next + 7 * 24 * HOUR, "the latest ticks are kept");
  assert.ok(week.missed >= 1);
  assert.deepEqual(planFiring(hourly, null, "all", late), {
    ticks: [],
    next: next + 11 * HOUR,
    missed: 0,
  });
});
