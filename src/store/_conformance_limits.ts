/**
 * Store conformance cases of rate and concurrency limits: sliding windows, per-key limits,
 * concurrency slots given back by every way a lease ends, handler throttles, queue rate limits,
 * and the waits a node sleeps through instead of polling. Part of the one store suite:
 * `runStoreConformance` in `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { FunctionLimits } from "../job/limits.ts";
import { Status } from "../job/status.ts";
import { type ConformanceCases, dueIn, newJob, NODE, W } from "./_conformance.ts";
import type { NewJob, Store } from "./store.ts";

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/** A job of function `name` counting under limit key `key` (default: the name). */
function limited(name: string, key?: string, overrides: Partial<NewJob> = {}): NewJob {
  return newJob({ name, limitKey: key === undefined ? name : `${name}|${key}`, ...overrides });
}

const rate = (max: number, duration: number, perKey = false): FunctionLimits => ({
  rate: { max, duration },
  concurrency: null,
  perKey,
});

const concurrency = (max: number): FunctionLimits => ({
  rate: null,
  concurrency: max,
  perKey: false,
});

/** Ids (in lease order) of a reserve of up to `count` started jobs. */
async function take(store: Store, count: number, prefetch = 0): Promise<string[]> {
  return (await store.reserve({ ...W, count, prefetch })).map((r) => r.id);
}

/** Completes the active jobs `ids` (their tokens read from the store's leases). */
async function completeAll(store: Store, leases: { id: string; token: string }[]): Promise<void> {
  const statuses = await store.complete(leases.map((l) => ({ ...l, result: null })));
  assert.ok(statuses.every((s) => s === Status.OK));
}

/** Cases of limits. */
export const LIMIT_CASES: ConformanceCases = {
  async "a rate limit holds its window; others in the lane pass; the store says when it opens"(
    ctx,
  ) {
    const store = await ctx.store();
    await store.configureFunctions({ rl: rate(3, 1_000), free: null });
    const jobs = [1, 2, 3, 4, 5].map(() => limited("rl"));
    const others = [newJob({ name: "free" }), newJob({ name: "free" })];
    await store.enqueue([...jobs, ...others]);
    assert.deepEqual(await take(store, 10), [...jobs.slice(0, 3), ...others].map((j) => j.id));
    const parked = (await store.getJobs(jobs.slice(3).map((j) => j.id))).map((j) => j!);
    assert.deepEqual(parked.map((j) => [j.state, j.throttledBy]), [
      ["waiting", "rl"],
      ["waiting", "rl"],
    ]);
    const counts = await store.counts("q");
    assert.equal(counts.states.waiting, 2);
    assert.equal(counts.lanes.normal.waiting, 2);
    assert.equal(counts.throttled, 2);
    // listed with the waiting jobs, after those in the lanes
    const listed = await store.listJobs({ queue: "q", state: "waiting" });
    assert.deepEqual(listed.jobs.map((j) => j.id), jobs.slice(3).map((j) => j.id));
    assert.equal(await dueIn(store), 1_000);
    ctx.clock.advance(999);
    assert.deepEqual(await take(store, 10), []);
    ctx.clock.advance(1);
    assert.deepEqual(await take(store, 10), jobs.slice(3).map((j) => j.id));
    assert.equal((await store.getJob(jobs[3]!.id))!.throttledBy, null);
    assert.equal((await store.counts("q")).throttled, 0);
    const throttled = (await store.metrics()).total.find((g) => g.name === "rl")!.throttled;
    assert.ok(throttled >= 2, `throttled reserves counted: ${throttled}`);
  },

  async "the window slides: a start leaves it exactly one duration later"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ rl: rate(2, 1_000) });
    const jobs = [1, 2, 3, 4].map(() => limited("rl"));
    await store.enqueue(jobs);
    assert.equal((await take(store, 1)).length, 1); // t = 0
    ctx.clock.advance(500);
    assert.equal((await take(store, 1)).length, 1); // t = 500
    ctx.clock.advance(100);
    assert.deepEqual(await take(store, 5), []); // t = 600: two in the window
    assert.equal(await dueIn(store), 400); // the start at 0 leaves at 1000
    ctx.clock.advance(400);
    assert.deepEqual(await take(store, 5), [jobs[2]!.id]);
    assert.equal(await dueIn(store), 500); // the start at 500 leaves at 1500
    ctx.clock.advance(500);
    assert.deepEqual(await take(store, 5), [jobs[3]!.id]);
  },

  async "a per-key limit holds each key apart: a flooding key does not slow the others"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ mail: rate(1, 1_000, true) });
    const flood = [1, 2, 3, 4].map(() => limited("mail", "big"));
    const a = limited("mail", "a");
    const b = limited("mail", "b");
    await store.enqueue([...flood, a, b]);
    assert.deepEqual(await take(store, 10), [flood[0]!.id, a.id, b.id]);
    const parked = await store.getJob(flood[1]!.id);
    assert.equal(parked!.throttledBy, "mail|big");
    const c = limited("mail", "c");
    await store.enqueue([c]);
    assert.deepEqual(await take(store, 10), [c.id]);
    ctx.clock.advance(1_000);
    assert.deepEqual(await take(store, 10), [flood[1]!.id]);
  },

  async "a concurrency limit counts leases; completion, failure, release and reclaim free a slot"(
    ctx,
  ) {
    const store = await ctx.store();
    await store.configureFunctions({ report: concurrency(2) });
    const jobs = [1, 2, 3, 4, 5, 6].map(() => limited("report"));
    await store.enqueue(jobs);
    const first = await store.reserve({ ...W, count: 10 });
    assert.deepEqual(first.map((r) => r.id), [jobs[0]!.id, jobs[1]!.id]);
    // only a lease ending opens it: no time to wake at
    assert.equal(await dueIn(store), null);
    await completeAll(store, [first[0]!]);
    const second = await store.reserve({ ...W, count: 10 });
    assert.deepEqual(second.map((r) => r.id), [jobs[2]!.id]);
    await store.fail([{ ...second[0]!, error: '{"message":"x"}', retryDelay: 60_000 }]);
    const third = await store.reserve({ ...W, count: 10 });
    assert.deepEqual(third.map((r) => r.id), [jobs[3]!.id]);
    await store.release([{ ...third[0]!, delay: 60_000 }]);
    const fourth = await store.reserve({ ...W, count: 10, leaseMs: 1_000 });
    assert.deepEqual(fourth.map((r) => r.id), [jobs[4]!.id]);
    assert.deepEqual(await take(store, 10), []);
    ctx.clock.advance(1_001);
    assert.deepEqual((await store.reclaimExpired()).requeued, [jobs[4]!.id]);
    assert.equal((await take(store, 10)).length, 1); // its slot came back
    assert.deepEqual(await take(store, 10), []);
  },

  async "a node's death gives its slots back when its jobs are reaped"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ report: concurrency(1) });
    const jobs = [limited("report"), limited("report")];
    await store.enqueue(jobs);
    await store.registerNode({ ...NODE, id: "dead-node" }, 1_000);
    const held = await store.reserve({ ...W, worker: "dead-node", count: 5 });
    assert.equal(held.length, 1);
    assert.deepEqual(await take(store, 5), []);
    const leader = await store.acquireLeadership("alive", 60_000);
    ctx.clock.advance(1_000);
    const { outcome } = await store.reapDeadNodes(leader!);
    assert.deepEqual(outcome.requeued, [jobs[0]!.id]);
    assert.equal((await take(store, 5)).length, 1); // the slot came back
    assert.deepEqual(await take(store, 5), []);
  },

  async "ctx.rateLimit: the job goes back first, unspent, and its function pauses everywhere"(
    ctx,
  ) {
    const store = await ctx.store();
    const jobs = [1, 2, 3].map(() => newJob({ name: "api" }));
    const other = newJob({ name: "other" });
    await store.enqueue([...jobs, other]);
    const [leased] = await store.reserve({ ...W, count: 1 });
    assert.equal(leased!.id, jobs[0]!.id);
    assert.deepEqual(await store.release([{ ...leased!, throttle: 2_000 }]), [Status.OK]);
    const back = (await store.getJob(jobs[0]!.id))!;
    assert.deepEqual([back.state, back.attempts, back.releases, back.throttledBy], [
      "waiting",
      0,
      1,
      "api",
    ]);
    assert.deepEqual(
      (await store.reserve({ ...W, worker: "w2", count: 10 })).map((r) => r.id),
      [other.id],
    );
    assert.equal(await dueIn(store), 2_000);
    ctx.clock.advance(1_999);
    assert.deepEqual(await take(store, 10), []);
    ctx.clock.advance(1);
    assert.deepEqual(await take(store, 10), jobs.map((j) => j.id));
  },

  async "a throttle on a per-key limit pauses only that key"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ pay: { ...concurrency(10), perKey: true } });
    const a = [limited("pay", "a"), limited("pay", "a")];
    const b = limited("pay", "b");
    await store.enqueue([a[0]!]);
    const [leased] = await store.reserve({ ...W, count: 1 });
    await store.enqueue([a[1]!, b]);
    await store.release([{ ...leased!, throttle: 5_000 }]);
    assert.equal((await store.getJob(a[0]!.id))!.throttledBy, "pay|a");
    assert.deepEqual(await take(store, 10), [b.id]);
    ctx.clock.advance(5_000);
    assert.deepEqual(await take(store, 10), a.map((j) => j.id));
  },

  async "a queue rate limit holds the whole queue, changes at run time, and shows in its config"(
    ctx,
  ) {
    const store = await ctx.store();
    const config = await store.configureLanes("q", { rateLimit: { max: 2, duration: 1_000 } });
    assert.deepEqual(config.rateLimit, { max: 2, duration: 1_000 });
    assert.deepEqual((await store.getLaneConfig("q")).rateLimit, { max: 2, duration: 1_000 });
    const jobs = [1, 2, 3, 4].map(() => newJob());
    await store.enqueue(jobs);
    assert.deepEqual(await take(store, 10), [jobs[0]!.id, jobs[1]!.id]);
    assert.equal((await store.counts("q")).throttled, 0); // they wait in their lane
    assert.equal(await dueIn(store), 1_000);
    await store.configureLanes("q", { rateLimit: null });
    assert.equal((await store.getLaneConfig("q")).rateLimit, null);
    assert.deepEqual(await take(store, 10), [jobs[2]!.id, jobs[3]!.id]);
    await assert.rejects(
      () => store.configureLanes("q", { rateLimit: { max: 0, duration: 1_000 } }),
      RangeError,
    );
  },

  async "limited jobs are not prefetched: a window counts starts"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ rl: rate(100, 1_000) });
    const jobs = [1, 2, 3].map(() => limited("rl"));
    await store.enqueue(jobs);
    const got = await store.reserve({ ...W, count: 1, prefetch: 5 });
    assert.deepEqual(got.map((r) => [r.id, r.started]), [[jobs[0]!.id, true]]);
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.waiting, counts.throttled], [2, 0]);
  },

  async "a parked job can be cancelled, reprioritized and replaced out of its line"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ rl: rate(1, 60_000) });
    const jobs = [1, 2, 3].map(() => limited("rl"));
    await store.enqueue(jobs);
    assert.equal((await take(store, 10)).length, 1);
    assert.equal((await store.counts("q")).throttled, 2);
    assert.equal((await store.cancel(jobs[1]!.id)).state, "cancelled");
    assert.equal((await store.counts("q")).throttled, 1);
    assert.equal((await store.changePriority(jobs[2]!.id, "high")).status, Status.OK);
    const moved = (await store.getJob(jobs[2]!.id))!;
    assert.deepEqual([moved.lane, moved.throttledBy, moved.state], ["high", null, "waiting"]);
    assert.deepEqual((await store.counts("q")).throttled, 0);
    // still limited: the next reserve parks it again
    assert.deepEqual(await take(store, 10), []);
    assert.equal((await store.getJob(jobs[2]!.id))!.throttledBy, "rl");
    assert.equal((await store.counts("q")).lanes.high.waiting, 1);
  },

  async "changing a function's limits looks at its parked jobs at once; limits read back"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ rl: rate(1, 60_000), report: concurrency(3) });
    assert.deepEqual(await store.functionLimits(), {
      rl: rate(1, 60_000),
      report: concurrency(3),
    });
    const jobs = [1, 2, 3].map(() => limited("rl"));
    await store.enqueue(jobs);
    assert.equal((await take(store, 10)).length, 1);
    await store.configureFunctions({ rl: rate(10, 60_000) });
    assert.equal(await dueIn(store), 0);
    assert.deepEqual(await take(store, 10), jobs.slice(1).map((j) => j.id));
    await store.configureFunctions({ rl: null, report: concurrency(3) });
    assert.deepEqual(await store.functionLimits(), { report: concurrency(3) });
  },

  async "parked jobs keep their order and their lanes"(ctx) {
    const store = await ctx.store();
    await store.configureFunctions({ rl: rate(1, 1_000) });
    const jobs = [
      limited("rl", undefined, { lane: "low" }),
      limited("rl", undefined, { lane: "high", payload: bytes("1") }),
      limited("rl", undefined, { lane: "high", payload: bytes("2") }),
      limited("rl", undefined, { lane: "low", payload: bytes("3") }),
    ];
    await store.enqueue(jobs);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      order.push(...await take(store, 10));
      ctx.clock.advance(1_000);
    }
    // one start per window; each lane's jobs in their order, each in its own lane
    assert.deepEqual([...order].sort(), jobs.map((j) => j.id).sort());
    const at = (i: number) => order.indexOf(jobs[i]!.id);
    assert.ok(at(1) < at(2) && at(0) < at(3), `lane order kept: ${order}`);
    const records = (await store.getJobs(order)).map((j) => j!);
    assert.deepEqual(records.map((j) => j.throttledBy), [null, null, null, null]);
    assert.deepEqual(
      records.map((j) => j.lane).sort(),
      ["high", "high", "low", "low"],
    );
  },
};
