/**
 * The testing kit and cron schedules: a schedule drained across a day fires every tick at its
 * time; the manual clock makes ticks due; a jump over many ticks is downtime to the leader
 * (catch-up rules apply); schedules set at run time count from when they were set; schedules
 * defined in code are stored by `createTestEngine`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { define } from "../mod.ts";
import { ManualClock } from "../testing.ts";
import { assertEnqueued, createTestEngine, drain, refuteEnqueued } from "../testing.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** Runs every hour on the hour (schedule `hourly`), and returns its tick's time. */
const Hourly = define(
  {
    name: "hourly-report",
    payload: z.object({ full: z.boolean().default(false) }),
    cron: [{ name: "hourly", pattern: "0 * * * *", payload: {} }],
  },
  ({ full }, ctx) => ({ tick: iso(ctx.scheduledAt), full }),
);

Deno.test("drain: a cron schedule drained across a day fires each tick at its time", async () => {
  const clock = new ManualClock(Date.parse("2026-03-10T00:30:00Z"));
  await using engine = await createTestEngine({ functions: [Hourly], clock });
  const ran = await drain(engine, { advanceTime: DAY });
  assert.equal(ran.length, 24);
  assert.deepEqual(ran.map((r) => r.outcome), Array(24).fill("completed"));
  assert.deepEqual(
    ran.map((r) => (r.result as { tick: string }).tick),
    Array.from({ length: 24 }, (_, h) => iso(Date.parse("2026-03-10T01:00:00Z") + h * HOUR)),
  );
  assert.deepEqual(ran.map((r) => r.startedAt), ran.map((r) => r.scheduledAt), "none ran late");
  assert.equal(iso(clock.now()), "2026-03-11T00:30:00.000Z");
  assert.deepEqual(ran.map((r) => r.id).slice(0, 2), [
    `cron:hourly:${Date.parse("2026-03-10T01:00:00Z")}`,
    `cron:hourly:${Date.parse("2026-03-10T02:00:00Z")}`,
  ]);
});

Deno.test("drain: advanceTime true runs the ticks on the way to a job, then stops", async () => {
  await using engine = await createTestEngine({ functions: [Hourly] }); // at 00:00
  const Later = define({ name: "later", payload: z.object({}) }, () => "later");
  engine.register(Later);
  await engine.enqueue(Later, {}, { delay: 3 * HOUR + 60_000 }); // 03:01
  const ran = await drain(engine, { advanceTime: true });
  assert.deepEqual(ran.map((r) => `${iso(r.startedAt).slice(11, 16)} ${r.name}`), [
    "01:00 hourly-report",
    "02:00 hourly-report",
    "03:00 hourly-report",
    "03:01 later",
  ]);
  assert.equal(iso(engine.clock.now()), "2026-01-01T03:01:00.000Z");
});

Deno.test("clock.advance: a tick falls due when the clock reaches it", async () => {
  await using engine = await createTestEngine({ functions: [Hourly] }); // at 00:00
  assert.deepEqual(await drain(engine), []);
  engine.clock.advance(HOUR - 1);
  await refuteEnqueued(engine, { job: Hourly });
  engine.clock.advance(1);
  assert.deepEqual((await drain(engine)).map((r) => r.result), [{
    tick: "2026-01-01T01:00:00.000Z",
    full: false,
  }]);
});

Deno.test("clock.advance: a jump over many ticks is downtime; catch-up rules apply", async () => {
  const Skip = define(
    { name: "skip", payload: z.object({}), cron: [{ pattern: "0 * * * *", payload: {} }] },
    () => {},
  );
  const All = define(
    {
      name: "all",
      payload: z.object({}),
      cron: [{ pattern: "0 * * * *", payload: {}, catchUp: "all" }],
    },
    () => {},
  );
  await using engine = await createTestEngine({ functions: [Skip, All], logger: quiet });
  engine.clock.advance(5 * HOUR + 30 * 60_000); // 05:30: five ticks passed while nothing ran
  const ran = await drain(engine);
  assert.equal(ran.filter((r) => r.name === "skip").length, 0, "the latest tick is 30 min late");
  assert.deepEqual(
    ran.filter((r) => r.name === "all").map((r) => iso(r.scheduledAt).slice(11, 16)),
    ["01:00", "02:00", "03:00", "04:00", "05:00"],
  );
});

Deno.test("schedules set at run time count from when they were set; pause and resume", async () => {
  await using engine = await createTestEngine({ functions: [Hourly] }); // at 00:00
  engine.clock.advance(10 * 60_000); // 00:10
  await engine.schedules.set("quarterly", {
    job: Hourly,
    pattern: "*/15 * * * *",
    payload: { full: true },
  });
  assert.deepEqual((await engine.schedules.get("quarterly"))?.next.slice(0, 2).map(iso), [
    "2026-01-01T00:15:00.000Z",
    "2026-01-01T00:30:00.000Z",
  ]);
  engine.clock.advance(5 * 60_000); // 00:15: the tick is enqueued as soon as anyone looks
  await assertEnqueued(engine, { job: Hourly, payload: { full: true } });
  const ran = await drain(engine);
  assert.deepEqual(ran.map((r) => r.result), [{ tick: "2026-01-01T00:15:00.000Z", full: true }]);

  await engine.schedules.pause("quarterly");
  const paused = await drain(engine, { advanceTime: HOUR }); // to 01:15
  assert.deepEqual(paused.map((r) => r.result), [{
    tick: "2026-01-01T01:00:00.000Z",
    full: false,
  }]);
  await engine.schedules.resume("quarterly"); // from now on: the next tick is 01:30
  const resumed = await drain(engine, { advanceTime: 15 * 60_000 });
  assert.deepEqual(resumed.map((r) => r.result), [{
    tick: "2026-01-01T01:30:00.000Z",
    full: true,
  }]);
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
