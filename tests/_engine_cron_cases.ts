/**
 * Engine cases of cron schedules under a manual clock, run against every store: the DST rule in
 * New York and Lord Howe (every fire time checked, none twice), the next five fire times, the
 * catch-up policies after the leader was down, ticks keeping their scheduled time, pause,
 * resume, trigger, delete, and schedules defined in code keeping their run-time state.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  createEngine,
  define,
  type Engine,
  type JobInfo,
  PayloadValidationError,
  silentLogger,
  UnknownFunctionError,
} from "../mod.ts";
import type { ManualClock } from "../testing.ts";
import type { CaseContext, ConformanceCases } from "../src/store/_conformance.ts";
import { ScheduleNotFoundError } from "../src/job/schedule_errors.ts";
import { until } from "./_engine_conformance.ts";

/** Does nothing; its ticks wait in queue `ticks` unless a worker serves it. */
const Tick = define(
  { name: "tick", payload: z.object({ n: z.number().default(0) }), queue: "ticks" },
  (_payload, ctx) => ({ scheduledAt: ctx.scheduledAt }),
);

const NY = "America/New_York";
const LORD_HOWE = "Australia/Lord_Howe";
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A leader that survives days of manual time: lease and node record last 20 days. */
const LEADER = {
  queues: ["elsewhere"],
  heartbeatMs: 20,
  nodeTtlMs: 20 * DAY,
  leader: { ttlMs: 20 * DAY, renewMs: 50 },
};

async function engineAt(ctx: CaseContext, iso: string): Promise<Engine> {
  ctx.clock.set(Date.parse(iso));
  return createEngine({
    store: await ctx.store(),
    clock: ctx.clock,
    logger: silentLogger,
    functions: [Tick],
  });
}

/**
 * Moves the clock from one fire time to the next (as a leader sees them) until `end`, letting
 * the leader fire each; returns the fire times of each schedule, as ISO strings.
 */
async function fireThrough(
  engine: Engine,
  clock: ManualClock,
  names: string[],
  end: number,
): Promise<Record<string, string[]>> {
  const worker = engine.work(LEADER);
  await worker.ready;
  for (;;) {
    const known = await until(
      () => Promise.all(names.map((n) => engine.store.schedules.get(n))),
      (all) => all.every((s) => s!.next !== null && s!.next > clock.now()),
    );
    const next = Math.min(...known.map((s) => s!.next!));
    if (next > end) break;
    clock.set(next);
  }
  await worker.stop();
  const fired: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  const jobs = await engine.listJobs({ queue: "ticks", state: "waiting", limit: 1000 });
  for (const job of jobs.jobs) {
    const [, name, at] = job.id.split(":");
    assert.equal(job.runAt, Number(at), `${job.id}: runAt is its tick`);
    fired[name!]!.push(new Date(Number(at)).toISOString());
  }
  for (const list of Object.values(fired)) list.sort();
  return fired;
}

/**
 * Schedules `patterns` (name to pattern) in `tz` on a fresh store from `from`, fires them through
 * `to` (see `fireThrough`) and returns their fire times. The store's clock only moves forward, so
 * each call takes a store of its own.
 */
async function fireAll(
  ctx: CaseContext,
  tz: string,
  patterns: Record<string, string>,
  [from, to]: [string, string],
): Promise<Record<string, string[]>> {
  if (ctx.clock.now() > Date.parse(from)) throw new Error("fireAll: the clock is past " + from);
  const engine = await engineAt(ctx, from);
  try {
    for (const [name, pattern] of Object.entries(patterns)) {
      await engine.schedules.set(name, { job: Tick, pattern, tz, payload: {} });
    }
    return await fireThrough(engine, ctx.clock, Object.keys(patterns), Date.parse(to));
  } finally {
    await engine.close();
  }
}

/** The local wall time of `t` in `tz` ("YYYY-MM-DD HH:MM"). */
function local(tz: string, t: number): string {
  return new Date(t).toLocaleString("sv-SE", { timeZone: tz }).slice(0, 16);
}

/** The engine cron cases. */
export const CRON_CASES: ConformanceCases = {
  async "cron: New York's spring change: 02:00 and 02:30 fire once, at 03:00 EDT"(ctx) {
    const fired = await fireAll(ctx, NY, { two: "0 2 * * *", half: "30 2 * * *" }, [
      "2026-03-07T00:00:00Z",
      "2026-03-10T00:00:00Z",
    ]);
    assert.deepEqual(fired, {
      two: ["2026-03-07T07:00:00.000Z", "2026-03-08T07:00:00.000Z", "2026-03-09T06:00:00.000Z"],
      half: ["2026-03-07T07:30:00.000Z", "2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"],
    });
  },

  async "cron: New York's fall change: 01:30 fires once (EDT), 02:00 and 02:30 once (EST)"(ctx) {
    const patterns = { two: "0 2 * * *", half: "30 2 * * *", early: "30 1 * * *" };
    const fired = await fireAll(ctx, NY, patterns, [
      "2026-10-31T00:00:00Z",
      "2026-11-03T00:00:00Z",
    ]);
    assert.deepEqual(fired, {
      two: ["2026-10-31T06:00:00.000Z", "2026-11-01T07:00:00.000Z", "2026-11-02T07:00:00.000Z"],
      half: ["2026-10-31T06:30:00.000Z", "2026-11-01T07:30:00.000Z", "2026-11-02T07:30:00.000Z"],
      early: ["2026-10-31T05:30:00.000Z", "2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"],
    });
  },

  async "cron: hourly in Lord Howe across its 30-minute changes, each hour once"(ctx) {
    const { lh: april } = await fireAll(ctx, LORD_HOWE, { lh: "0 * * * *" }, [
      "2026-04-04T11:30:00Z",
      "2026-04-04T17:00:00Z",
    ]);
    // 02:00 LHDT falls back to 01:30 LHST: 01:00 (LHDT), then 02:00 (LHST), 90 minutes later
    assert.deepEqual(april!.map((t) => local(LORD_HOWE, Date.parse(t))), [
      "2026-04-04 23:00",
      "2026-04-05 00:00",
      "2026-04-05 01:00",
      "2026-04-05 02:00",
      "2026-04-05 03:00",
    ]);
    assert.deepEqual(april, [
      "2026-04-04T12:00:00.000Z",
      "2026-04-04T13:00:00.000Z",
      "2026-04-04T14:00:00.000Z",
      "2026-04-04T15:30:00.000Z",
      "2026-04-04T16:30:00.000Z",
    ]);
    // 2026-10-04 02:00 LHST jumps to 02:30 LHDT: 02:00 does not exist and fires at 02:30
    const { lh: october } = await fireAll(ctx, LORD_HOWE, { lh: "0 * * * *" }, [
      "2026-10-03T13:00:00Z",
      "2026-10-03T17:00:00Z",
    ]);
    assert.deepEqual(october, [
      "2026-10-03T13:30:00.000Z", // 00:00 LHST
      "2026-10-03T14:30:00.000Z", // 01:00 LHST
      "2026-10-03T15:30:00.000Z", // 02:00 does not exist: 02:30 LHDT
      "2026-10-03T16:00:00.000Z", // 03:00 LHDT
      "2026-10-03T17:00:00.000Z",
    ]);
  },

  async "cron: list() gives 09:00 New York time on five days across the spring change"(ctx) {
    const engine = await engineAt(ctx, "2026-03-06T12:00:00Z");
    await engine.schedules.set("nine", { job: Tick, pattern: "0 9 * * *", tz: NY, payload: {} });
    const expected = ["06", "07", "08", "09", "10"].map((d) => `2026-03-${d} 09:00`);
    const [before] = await engine.schedules.list();
    assert.deepEqual(before!.next.map((t) => local(NY, t)), expected);
    // the same once the leader has stored the next fire time
    const worker = engine.work(LEADER);
    await until(() => engine.store.schedules.get("nine"), (s) => s?.next !== null);
    const [after] = await engine.schedules.list();
    assert.deepEqual(after!.next.map((t) => local(NY, t)), expected);
    assert.deepEqual(
      { ...after, next: [] },
      {
        name: "nine",
        job: "tick",
        pattern: "0 9 * * *",
        tz: NY,
        catchUp: "skip",
        paused: false,
        next: [],
        lastFiredAt: null,
        queue: "ticks",
        priority: "normal",
        payload: { n: 0 },
      },
    );
    await worker.stop();
    await engine.close();
  },

  async "cron: after the leader was down, skip fires nothing, one the latest, all every tick"(ctx) {
    const engine = await engineAt(ctx, "2026-01-01T00:30:00Z");
    for (const catchUp of ["skip", "one", "all"] as const) {
      await engine.schedules.set(catchUp, {
        job: Tick,
        pattern: "0 * * * *",
        payload: {},
        catchUp,
      });
    }
    const names = ["skip", "one", "all"];
    let worker = engine.work(LEADER);
    await until(() => engine.store.schedules.list(), (all) => all.every((s) => s.next !== null));
    await worker.stop(); // the leader is gone from 00:30 to 05:30
    ctx.clock.advance(5 * HOUR);
    worker = engine.work({ ...LEADER, queues: ["ticks"] });
    const moved = (all: { next: number | null }[]) => all.every((s) => s.next! > ctx.clock.now());
    await until(() => engine.store.schedules.list(), moved);
    const done = await until(
      () => engine.listJobs({ queue: "ticks", state: "completed", limit: 100 }),
      (page) => page.jobs.length === 6,
    );
    await worker.stop();
    const byName: Record<string, JobInfo[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (const job of done.jobs) byName[job.id.split(":")[1]!]!.push(job);
    const hours = (jobs: JobInfo[]) => jobs.map((j) => new Date(j.runAt).getUTCHours()).sort();
    assert.deepEqual(hours(byName.skip!), []);
    assert.deepEqual(hours(byName.one!), [5]);
    assert.deepEqual(hours(byName.all!), [1, 2, 3, 4, 5]);
    for (const job of done.jobs) {
      assert.deepEqual(job.result, { scheduledAt: job.runAt }, "ctx.scheduledAt is the tick");
    }
    const all = await engine.schedules.get("all");
    assert.equal(all!.lastFiredAt, Date.parse("2026-01-01T05:00:00Z"));
    assert.equal(all!.next[0], Date.parse("2026-01-01T06:00:00Z"));
    await engine.close();
  },

  async "cron: pause, resume, trigger and delete"(ctx) {
    const engine = await engineAt(ctx, "2026-01-01T00:30:00Z");
    await engine.schedules.set("s", { job: Tick, pattern: "0 * * * *", payload: { n: 7 } });
    const worker = engine.work(LEADER);
    await until(() => engine.store.schedules.get("s"), (s) => s?.next !== null);
    const paused = await engine.schedules.pause("s");
    assert.deepEqual([paused.paused, paused.next], [true, []]);
    ctx.clock.advance(2 * HOUR); // 01:00 and 02:00 fall while it is paused
    const resumed = await engine.schedules.resume("s");
    assert.equal(resumed.next[0], Date.parse("2026-01-01T03:00:00Z"));
    await until(() => engine.store.schedules.get("s"), (s) => s!.next !== null);
    const id = await engine.schedules.trigger("s");
    assert.match(id, /^cron:s:trigger:/);
    const triggered = (await engine.getJob(id))!;
    assert.deepEqual([triggered.payload, triggered.runAt], [{ n: 7 }, ctx.clock.now()]);
    ctx.clock.set(Date.parse("2026-01-01T03:00:00Z"));
    const tick = `cron:s:${ctx.clock.now()}`;
    await until(() => engine.getJob(tick), (j) => j !== null);
    await worker.stop();
    const waiting = await engine.listJobs({ queue: "ticks", state: "waiting" });
    assert.deepEqual(
      waiting.jobs.map((j) => j.id).sort(),
      [id, tick].sort(),
      "a paused tick fired",
    );
    assert.equal(await engine.schedules.delete("s"), true);
    assert.equal(await engine.schedules.delete("s"), false);
    assert.equal(await engine.schedules.get("s"), null);
    await assert.rejects(() => engine.schedules.trigger("s"), ScheduleNotFoundError);
    await assert.rejects(() => engine.schedules.pause("s"), ScheduleNotFoundError);
    assert.ok(await engine.getJob(tick), "deleting a schedule deleted its jobs");
    await engine.close();
  },

  async "cron: bad schedules are refused and nothing is stored"(ctx) {
    const engine = await engineAt(ctx, "2026-01-01T00:00:00Z");
    const set = (spec: Record<string, unknown>, name = "bad") =>
      engine.schedules.set(
        name,
        { job: Tick, pattern: "0 * * * *", payload: {}, ...spec } as never,
      );
    await assert.rejects(
      () => set({ pattern: "0 25 * * *" }),
      /invalid cron pattern "0 25 \* \* \*"/,
    );
    await assert.rejects(() => set({ tz: "Nowhere/Town" }), /unknown time zone "Nowhere\/Town"/);
    await assert.rejects(() => set({ payload: { n: "x" } }), PayloadValidationError);
    await assert.rejects(() => set({ job: "nope" }), UnknownFunctionError);
    await assert.rejects(() => set({ catchUp: "some" }), /catchUp must be "skip", "one" or "all"/);
    await assert.rejects(() => set({ options: { delay: 5 } }), /"delay" does not apply/);
    await assert.rejects(() => set({}, "a b"), /invalid schedule name "a b"/);
    assert.deepEqual(await engine.schedules.list(), []);
    await engine.close();
  },

  async "cron: schedules defined in code are stored at start and keep their run-time state"(ctx) {
    ctx.clock.set(Date.parse("2026-01-01T00:30:00Z"));
    const store = await ctx.store();
    const Nightly = define({
      name: "nightly",
      payload: z.object({ full: z.boolean() }),
      queue: "ticks",
      cron: [
        { pattern: "0 3 * * *", tz: NY, payload: { full: false } },
        {
          name: "nightly-full",
          pattern: "0 4 * * 0",
          tz: NY,
          payload: { full: true },
          catchUp: "one",
        },
      ],
    }, () => null);
    const engine = () =>
      createEngine({ store, clock: ctx.clock, logger: silentLogger, functions: [Nightly] });
    const first = engine();
    await first.ready();
    assert.deepEqual(await first.schedules.list(), [], "stored before the engine started work");
    const node = { queues: ["elsewhere"], leader: false };
    await first.work(node).ready;
    assert.deepEqual((await first.schedules.list()).map((s) => [s.name, s.catchUp, s.payload]), [
      ["nightly", "skip", { full: false }],
      ["nightly-full", "one", { full: true }],
    ]);
    await first.schedules.pause("nightly");
    await first.close();
    // a restart with the same code: the definition is written again, the pause kept
    const second = engine();
    await second.work(node).ready;
    const nightly = await store.schedules.get("nightly");
    assert.deepEqual([nightly!.paused, nightly!.revision], [true, 2], "written again, or resumed");
    await second.close();
    assert.throws(
      () =>
        define(
          { name: "x", payload: z.object({}), cron: [{ pattern: "0 0 * * *", tz: "Mars" }] },
          () => 1,
        ),
      /define\("x"\): cron\[0\]: unknown time zone "Mars"/,
    );
    assert.throws(
      () =>
        define(
          { name: "x", payload: z.object({ a: z.string() }), cron: [{ pattern: "@daily" }] },
          () => 1,
        ),
      /cron\[0\]: the payload does not fit/,
    );
    assert.throws(
      () =>
        define({
          name: "x",
          payload: z.any(),
          cron: [{ pattern: "@daily" }, { pattern: "@hourly" }],
        }, () => 1),
      /cron\[1\]: two entries are named "x"/,
    );
  },
};
