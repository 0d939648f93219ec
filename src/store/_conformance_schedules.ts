/**
 * Store conformance cases of cron schedules (`store.schedules`): definitions kept with their
 * run-time state, the due index, pausing, and the leader-only `fire` (fenced, revision-checked,
 * idempotent, ticks keeping their scheduled time). Part of the one store suite:
 * `runStoreConformance` in `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Status } from "../job/status.ts";
import type { UniqueLock } from "../job/unique.ts";
import { type ConformanceCases, W } from "./_conformance.ts";
import type { ScheduleDefinition, StoredSchedule } from "./schedule_store.ts";
import type { NewJob, Store } from "./store.ts";

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/** A schedule of function "test-fn" on queue "q". */
function definition(name: string, overrides: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  return {
    name,
    pattern: "0 * * * *",
    tz: "UTC",
    catchUp: "skip",
    job: {
      name: "test-fn",
      queue: "q",
      lane: "normal",
      payload: bytes('{"n":1}'),
      maxAttempts: 3,
      backoff: null,
      unique: null,
      limitKey: null,
    },
    ...overrides,
  };
}

/** The job of tick `at` of `schedule`, as the leader builds it. */
function tick(schedule: StoredSchedule, at: number, unique: UniqueLock | null = null): NewJob {
  const { job } = schedule;
  return {
    id: `cron:${schedule.name}:${at}`,
    name: job.name,
    queue: job.queue,
    lane: job.lane,
    payload: job.payload,
    runAt: at,
    maxAttempts: job.maxAttempts,
    ...(unique ? { unique } : {}),
  };
}

async function leader(store: Store, ttlMs = 60_000) {
  const lease = await store.acquireLeadership("n", ttlMs);
  assert.ok(lease);
  return lease;
}

const HOUR = 3_600_000;

/** Cases of cron schedules. */
export const SCHEDULE_CASES: ConformanceCases = {
  async "schedules: set keeps run-time state; a new pattern clears next; list and delete"(ctx) {
    const { schedules } = await ctx.store();
    assert.equal(await schedules.set(definition("b")), "created");
    assert.equal(await schedules.set(definition("a", { tz: "Europe/Paris" })), "created");
    const b = (await schedules.get("b"))!;
    assert.deepEqual(b, {
      ...definition("b"),
      paused: false,
      next: null,
      lastFiredAt: null,
      revision: 1,
    });
    assert.equal(await schedules.set(definition("b")), "unchanged");
    assert.equal((await schedules.get("b"))!.revision, 1);
    assert.deepEqual((await schedules.list()).map((s) => s.name), ["a", "b"]);
    assert.equal(await schedules.delete("a"), true);
    assert.equal(await schedules.delete("a"), false);
    assert.equal(await schedules.get("a"), null);
    assert.deepEqual((await schedules.list()).map((s) => s.name), ["b"]);
  },

  async "schedules: due lists new schedules at once, then by next fire time"(ctx) {
    const store = await ctx.store();
    const { schedules } = store;
    await schedules.set(definition("s"));
    let due = await schedules.due();
    assert.equal(due.now, ctx.clock.now());
    assert.deepEqual(due.schedules.map((s) => [s.name, s.next]), [["s", null]]);
    assert.equal(due.nextIn, null);
    const lease = await leader(store);
    const next = ctx.clock.now() + HOUR;
    const fired = await schedules.fire(lease, { name: "s", revision: 1, ticks: [], next });
    assert.deepEqual(fired, { status: Status.OK, created: 0, refusedBy: null });
    due = await schedules.due();
    assert.deepEqual([due.schedules, due.nextIn], [[], HOUR]);
    assert.equal((await schedules.get("s"))!.next, next);
    ctx.clock.advance(HOUR);
    due = await schedules.due();
    assert.deepEqual(due.schedules.map((s) => [s.name, s.next]), [["s", next]]);
    assert.equal((await schedules.get("s"))!.revision, 2, "a round raises the revision");
    // a new payload keeps next; a new pattern clears it
    assert.equal(await schedules.set(definition("s", { catchUp: "all" })), "updated");
    assert.deepEqual([(await schedules.get("s"))!.next, (await schedules.get("s"))!.revision], [
      next,
      3,
    ]);
    await schedules.set(definition("s", { pattern: "*/5 * * * *" }));
    const changed = (await schedules.get("s"))!;
    assert.deepEqual([changed.next, changed.revision, changed.pattern], [null, 4, "*/5 * * * *"]);
  },

  async "schedules: fire enqueues each tick once, keeping its time, and moves next"(ctx) {
    const store = await ctx.store();
    const { schedules } = store;
    await schedules.set(definition("hourly"));
    const lease = await leader(store);
    const s = (await schedules.get("hourly"))!;
    const [t1, t2] = [ctx.clock.now() - 2 * HOUR, ctx.clock.now() - HOUR];
    const next = ctx.clock.now() + HOUR;
    const firing = {
      name: "hourly",
      revision: s.revision,
      ticks: [tick(s, t1), tick(s, t2)],
      next,
    };
    ctx.clock.advance(5);
    assert.deepEqual(await schedules.fire(lease, firing), {
      status: Status.OK,
      created: 2,
      refusedBy: null,
    });
    // delivered twice: refused (the round raised the revision), nothing more stored
    assert.deepEqual(await schedules.fire(lease, firing), {
      status: Status.WRONG_STATE,
      created: 0,
      refusedBy: null,
    });
    // a later round with a tick stored already stores nothing for it
    const again = { ...firing, revision: s.revision + 1, ticks: [tick(s, t2)] };
    assert.deepEqual(await schedules.fire(lease, again), {
      status: Status.OK,
      created: 0,
      refusedBy: null,
    });
    const jobs = await store.getJobs([`cron:hourly:${t1}`, `cron:hourly:${t2}`]);
    assert.deepEqual(jobs.map((j) => [j?.state, j?.runAt]), [["waiting", t1], ["waiting", t2]]);
    assert.deepEqual(jobs.map((j) => j?.enqueuedAt), [ctx.clock.now(), ctx.clock.now()]);
    const after = (await schedules.get("hourly"))!;
    assert.deepEqual([after.next, after.lastFiredAt], [next, t2]);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.deepEqual([r?.id, r?.runAt], [`cron:hourly:${t1}`, t1]);
  },

  async "schedules: fire is leader-only and refused at another revision or while paused"(ctx) {
    const store = await ctx.store();
    const { schedules } = store;
    await schedules.set(definition("s"));
    const s = (await schedules.get("s"))!;
    const at = ctx.clock.now();
    const firing = { name: "s", revision: s.revision, ticks: [tick(s, at)], next: at + HOUR };
    const lease = await leader(store);
    const stale = { ...lease, token: "not-the-token" };
    assert.equal((await schedules.fire(stale, firing)).status, Status.NOT_LEADER);
    assert.equal(
      (await schedules.fire(lease, { ...firing, revision: 7 })).status,
      Status.WRONG_STATE,
    );
    assert.equal(await schedules.setPaused("s", true), Status.OK);
    assert.equal((await schedules.fire(lease, firing)).status, Status.WRONG_STATE);
    assert.equal(
      (await schedules.fire(lease, { ...firing, name: "gone" })).status,
      Status.NOT_FOUND,
    );
    assert.equal(await store.getJob(`cron:s:${at}`), null);
    assert.deepEqual((await schedules.get("s"))!.next, null);
    ctx.clock.advance(60_000);
    assert.equal((await schedules.fire(lease, firing)).status, Status.NOT_LEADER, "lapsed lease");
  },

  async "schedules: pausing takes a schedule out of due; resuming clears next"(ctx) {
    const store = await ctx.store();
    const { schedules } = store;
    await schedules.set(definition("s"));
    const lease = await leader(store);
    await schedules.fire(lease, { name: "s", revision: 1, ticks: [], next: ctx.clock.now() + 10 });
    assert.equal(await schedules.setPaused("s", true), Status.OK);
    assert.equal(await schedules.setPaused("s", true), Status.OK);
    let s = (await schedules.get("s"))!;
    assert.deepEqual([s.paused, s.revision], [true, 3]);
    ctx.clock.advance(HOUR);
    assert.deepEqual((await schedules.due()).schedules, []);
    assert.equal(await schedules.set(definition("s", { catchUp: "one" })), "updated");
    assert.equal((await schedules.get("s"))!.paused, true, "set resumed a paused schedule");
    assert.equal(await schedules.setPaused("s", false), Status.OK);
    s = (await schedules.get("s"))!;
    assert.deepEqual([s.paused, s.next, s.revision], [false, null, 5]);
    assert.deepEqual((await schedules.due()).schedules.map((d) => d.name), ["s"]);
    assert.equal(await schedules.setPaused("missing", true), Status.NOT_FOUND);
  },

  async "schedules: a unique key held by a running job keeps a tick out; the round counts"(ctx) {
    const store = await ctx.store();
    const { schedules } = store;
    const unique: UniqueLock = { key: "test-fn:nightly", scope: "active", onConflict: "replace" };
    await schedules.set(definition("u", { job: { ...definition("u").job, unique } }));
    const lease = await leader(store, 2 * HOUR);
    const s = (await schedules.get("u"))!;
    const t1 = ctx.clock.now();
    await schedules.fire(lease, {
      name: "u",
      revision: 1,
      ticks: [tick(s, t1, unique)],
      next: t1 + 1,
    });
    await store.reserve({ ...W, count: 1 }); // the first tick runs
    ctx.clock.advance(HOUR);
    const t2 = ctx.clock.now();
    const second = await schedules.fire(lease, {
      name: "u",
      revision: 2,
      ticks: [tick(s, t2, unique)],
      next: t2 + HOUR,
    });
    assert.deepEqual(second, { status: Status.OK, created: 0, refusedBy: `cron:u:${t1}` });
    assert.equal(await store.getJob(`cron:u:${t2}`), null);
    const after = (await schedules.get("u"))!;
    assert.deepEqual([after.next, after.lastFiredAt], [t2 + HOUR, t2]);
  },

  async "schedules: a change wakes waitForChange"(ctx) {
    const { schedules } = await ctx.store();
    await schedules.waitForChange(50); // subscribes (Redis) and times out
    const started = performance.now();
    const woken = schedules.waitForChange(30_000);
    setTimeout(() => void schedules.set(definition("w")), 50);
    await woken;
    assert.ok(performance.now() - started < 25_000, "not woken by the change");
  },
};
