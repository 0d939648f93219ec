/**
 * Store conformance cases of `reschedule`: waiting and delayed jobs re-timed either way,
 * blocked jobs keeping their new due time for after their prerequisites, active and finished
 * jobs refused. Part of the one store suite: `runStoreConformance` in `_conformance.ts` runs
 * them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Status } from "../job/status.ts";
import { type ConformanceCases, dueIn, newJob, W } from "./_conformance.ts";

/** Cases of rescheduling. */
export const RESCHEDULE_CASES: ConformanceCases = {
  async "reschedule: a waiting job due later becomes delayed, then runs at its new time"(ctx) {
    const store = await ctx.store();
    const [a, b] = [newJob(), newJob()];
    await store.enqueue([a, b]);
    const at = ctx.clock.now() + 5_000;
    assert.deepEqual(await store.reschedule(a.id, { runAt: at }), {
      status: Status.OK,
      state: "delayed",
    });
    const job = (await store.getJob(a.id))!;
    assert.deepEqual([job.state, job.runAt], ["delayed", at]);
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.waiting, counts.states.delayed], [1, 1]);
    assert.deepEqual((await store.reserve({ ...W, count: 5 })).map((r) => r.id), [b.id]);
    assert.equal(await dueIn(store), 5_000);
    ctx.clock.advance(5_000);
    const [r] = await store.reserve({ ...W, count: 5 });
    assert.deepEqual([r?.id, r?.runAt], [a.id, at]);
  },

  async "reschedule: a delayed job moves later or earlier, by runAt or by delay"(ctx) {
    const store = await ctx.store();
    const job = newJob({ delay: 10_000 });
    await store.enqueue([job]);
    await store.reschedule(job.id, { delay: 60_000 });
    assert.equal((await store.getJob(job.id))!.runAt, ctx.clock.now() + 60_000);
    ctx.clock.advance(10_000);
    assert.deepEqual(await store.reserve({ ...W, count: 1 }), [], "ran at its old time");
    const sooner = ctx.clock.now() + 1_000;
    assert.equal((await store.reschedule(job.id, { runAt: sooner })).state, "delayed");
    assert.equal((await store.counts("q")).states.delayed, 1);
    assert.equal(await dueIn(store), 1_000);
    ctx.clock.advance(1_000);
    assert.equal((await store.reserve({ ...W, count: 1 }))[0]?.id, job.id);
  },

  async "reschedule: a due time not in the future makes a delayed job waiting, at the back"(ctx) {
    const store = await ctx.store();
    const [first, late] = [newJob(), newJob({ delay: 60_000 })];
    await store.enqueue([first, late]);
    const past = ctx.clock.now() - 1_000;
    assert.deepEqual(await store.reschedule(late.id, { runAt: past }), {
      status: Status.OK,
      state: "waiting",
    });
    const job = (await store.getJob(late.id))!;
    assert.deepEqual([job.state, job.runAt], ["waiting", ctx.clock.now()]);
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.waiting, counts.states.delayed], [2, 0]);
    // a waiting job due now stays where it is
    assert.equal((await store.reschedule(first.id, { delay: 0 })).state, "waiting");
    const rs = await store.reserve({ ...W, count: 5 });
    assert.deepEqual(rs.map((r) => r.id), [first.id, late.id]);
  },

  async "reschedule: a blocked job runs no earlier than its new time once unblocked"(ctx) {
    const store = await ctx.store();
    const pre = newJob();
    const dep = newJob({ dependsOn: [pre.id] });
    await store.enqueue([pre, dep]);
    const at = ctx.clock.now() + 7_000;
    assert.deepEqual(await store.reschedule(dep.id, { runAt: at }), {
      status: Status.OK,
      state: "blocked",
    });
    const [r] = await store.reserve({ ...W, count: 1 });
    await store.complete([{ id: pre.id, token: r!.token, result: null }]);
    const job = (await store.getJob(dep.id))!;
    assert.deepEqual([job.state, job.runAt], ["delayed", at]);
  },

  async "reschedule: active and finished jobs are refused, unknown ones not found"(ctx) {
    const store = await ctx.store();
    const [a, b] = [newJob(), newJob()];
    await store.enqueue([a, b]);
    const [ra, rb] = await store.reserve({ ...W, count: 2 });
    assert.deepEqual(await store.reschedule(a.id, { delay: 1_000 }), {
      status: Status.WRONG_STATE,
      state: "active",
    });
    await store.complete([{ id: b.id, token: rb!.token, result: null }]);
    assert.deepEqual(await store.reschedule(b.id, { delay: 1_000 }), {
      status: Status.WRONG_STATE,
      state: "completed",
    });
    assert.deepEqual(await store.reschedule("missing", { delay: 1 }), {
      status: Status.NOT_FOUND,
    });
    assert.equal((await store.getJob(a.id))!.leaseDeadline, ra!.leaseDeadline);
  },
};
