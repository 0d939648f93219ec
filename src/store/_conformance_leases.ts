/**
 * Store conformance cases of dispatch and leases: the lower-lane limit across queues, attempts
 * charged only when a job starts, the order in which jobs go back to the front of their lane,
 * and retention 0. Part of the one store suite: `runStoreConformance` in `_conformance.ts` runs
 * them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Status } from "../job/status.ts";
import type { IdleWait } from "./store.ts";
import { type ConformanceCases, newJob, NODE, W } from "./_conformance.ts";

/** Cases of dispatch and leases. */
export const LEASE_CASES: ConformanceCases = {
  async "the lower-lane limit holds across every queue of one reserve"(ctx) {
    const store = await ctx.store();
    const high = newJob({ queue: "a", lane: "high" });
    await store.enqueue([high]);
    // queue b has nothing: the slot kept for upper lanes still reaches queue a
    const got = await store.reserve({ ...W, queues: ["b", "a"], count: 1, lowerLaneLimit: 0 });
    assert.deepEqual(got.map((r) => [r.id, r.started]), [[high.id, true]]);
    const normals = [newJob({ queue: "b" }), newJob({ queue: "b" })];
    const critical = newJob({ queue: "a", lane: "critical" });
    await store.enqueue([...normals, critical]);
    const mixed = await store.reserve({ ...W, queues: ["b", "a"], count: 3, lowerLaneLimit: 1 });
    assert.deepEqual(mixed.map((r) => [r.id, r.started]), [
      [normals[0]!.id, true],
      [critical.id, true],
    ]);
    // prefetched picks are not limited, and come after every started one
    const pre = await store.reserve({
      ...W,
      queues: ["a", "b"],
      count: 1,
      lowerLaneLimit: 0,
      prefetch: 1,
    });
    assert.deepEqual(pre.map((r) => [r.id, r.started]), [[normals[1]!.id, false]]);
  },

  async "a reserve or steal retried with its call id gets its own leases back"(ctx) {
    const store = await ctx.store();
    await store.enqueue(Array.from({ length: 6 }, () => newJob()));
    const first = await store.reserve({ ...W, callId: "call-1", count: 2, prefetch: 2 });
    const again = await store.reserve({ ...W, callId: "call-1", count: 5 });
    assert.deepEqual(again, first);
    assert.equal((await store.counts("q")).states.active, 4);
    // a new id is a new call
    assert.equal((await store.reserve({ ...W, callId: "call-2", count: 5 })).length, 2);
    const stolen = await store.steal({
      worker: "t",
      callId: "s-1",
      queues: ["q"],
      count: 2,
      leaseMs: 1_000,
    });
    assert.equal(stolen.length, 1); // half of the 2 prefetched, rounded up
    assert.deepEqual(
      await store.steal({ worker: "t", callId: "s-1", queues: ["q"], count: 2, leaseMs: 1_000 }),
      stolen,
    );
  },

  async "idleWait says whether another node holds prefetched jobs to steal"(ctx) {
    const store = await ctx.store();
    assert.deepEqual(await store.idleWait(["q"], "w1"), { dueIn: null, stealable: false });
    await store.enqueue([newJob(), newJob({ delay: 5_000 })]);
    await store.reserve({ ...W, worker: "w2", count: 0, prefetch: 1 });
    assert.deepEqual(await store.idleWait(["q"], "w1"), { dueIn: 5_000, stealable: true });
    assert.deepEqual(await store.idleWait(["q"], "w2"), { dueIn: 5_000, stealable: false });
  },

  async "a reserve that leaves slots free answers the idle wait with its leases"(ctx) {
    const store = await ctx.store();
    const answers: IdleWait[] = [];
    const onIdle = (wait: IdleWait) => answers.push(wait);
    const [soon, later] = [newJob({ delay: 1_000 }), newJob({ delay: 5_000 })];
    await store.enqueue([newJob(), newJob(), soon, later]);
    // every slot filled: no answer
    assert.equal((await store.reserve({ ...W, count: 1, onIdle })).length, 1);
    assert.deepEqual(answers, []);
    await store.reserve({ ...W, worker: "w2", count: 0, prefetch: 1 });
    // the answer is read after the call's own writes: the job it promoted is no longer due
    ctx.clock.advance(1_000);
    const got = await store.reserve({ ...W, count: 3, onIdle });
    assert.deepEqual(got.map((r) => r.id), [soon.id]);
    assert.deepEqual(answers, [{ dueIn: 4_000, stealable: true }]);
    assert.deepEqual(await store.idleWait(["q"], "w1"), answers[0]);
    // a call delivered twice answers nothing the second time
    await store.enqueue([newJob()]);
    const first = await store.reserve({ ...W, callId: "c", count: 2, onIdle });
    assert.equal(first.length, 1);
    assert.equal(answers.length, 2);
    assert.deepEqual(await store.reserve({ ...W, callId: "c", count: 2, onIdle }), first);
    assert.equal(answers.length, 2);
    // nor does a call that can lease nothing
    assert.deepEqual(await store.reserve({ ...W, count: 2, lanes: [], onIdle }), []);
    assert.deepEqual(await store.reserve({ ...W, queues: [], count: 2, onIdle }), []);
    assert.equal(answers.length, 2);
  },

  async "a reserve of a fractional count is refused, leasing nothing"(ctx) {
    const store = await ctx.store();
    await store.enqueue([newJob(), newJob(), newJob()]);
    await assert.rejects(store.reserve({ ...W, count: 2.5 }), RangeError);
    await assert.rejects(store.reserve({ ...W, count: 1, prefetch: 0.5 }), RangeError);
    assert.equal((await store.counts("q")).states.waiting, 3);
  },

  async "a prefetched job that never started spends no attempt, even its last"(ctx) {
    const store = await ctx.store();
    const [reaped, expired] = [newJob({ maxAttempts: 1 }), newJob({ maxAttempts: 1 })];
    await store.enqueue([reaped]);
    await store.registerNode({ ...NODE, id: "dying" }, 1_000);
    const [held] = await store.reserve({ ...W, worker: "dying", count: 0, prefetch: 1 });
    assert.equal(held!.attempt, 1); // the attempt it would be
    assert.equal((await store.getJob(reaped.id))!.attempts, 0);
    const leader = await store.acquireLeadership("alive", 60_000);
    ctx.clock.advance(1_000);
    const { outcome } = await store.reapDeadNodes(leader!);
    assert.deepEqual(outcome, { nodes: ["dying"], requeued: [reaped.id], dead: [] });
    let got = await store.getJob(reaped.id);
    assert.deepEqual([got!.state, got!.attempts, got!.stalls, got!.history], [
      "waiting",
      0,
      0,
      [],
    ]);
    await store.enqueue([expired]);
    await store.reserve({ ...W, worker: "slow", count: 0, prefetch: 2, leaseMs: 100 });
    ctx.clock.advance(100);
    assert.deepEqual(await store.reclaimExpired(), {
      requeued: [reaped.id, expired.id],
      dead: [],
    });
    got = await store.getJob(expired.id);
    assert.deepEqual([got!.state, got!.attempts, got!.stalls], ["waiting", 0, 0]);
    // it runs its one attempt in full
    const [run] = await store.reserve({ ...W, count: 1 });
    assert.equal(run!.attempt, 1);
    assert.equal((await store.getJob(run!.id))!.attempts, 1);
    assert.deepEqual(await store.complete([{ id: run!.id, token: run!.token, result: null }]), [
      Status.OK,
    ]);
  },

  async "jobs going back to the front of a lane keep the order they were taken in"(ctx) {
    const store = await ctx.store();
    const jobs = Array.from({ length: 5 }, () => newJob());
    await store.enqueue(jobs);
    const rs = await store.reserve({ ...W, count: 3, leaseMs: 1_000 });
    // handed back in one call: the first taken is first again, ahead of jobs never taken
    await store.release(rs.map((r) => ({ id: r.id, token: r.token })));
    const again = await store.reserve({ ...W, count: 5, leaseMs: 1_000 });
    assert.deepEqual(again.map((r) => r.id), jobs.map((j) => j.id));
    ctx.clock.advance(1_000);
    assert.equal((await store.reclaimExpired()).requeued.length, 5);
    const third = await store.reserve({ ...W, count: 5 });
    assert.deepEqual(third.map((r) => r.id), jobs.map((j) => j.id));
  },

  async "retention 0 deletes finished jobs; a completion sent twice in one call is harmless"(ctx) {
    const store = await ctx.store({ keepFinished: 0, keepDead: 0 });
    const [ok, bad] = [newJob(), newJob()];
    await store.enqueue([ok, bad]);
    const [a, b] = await store.reserve({ ...W, count: 2 });
    const done = { id: a!.id, token: a!.token, result: null };
    assert.deepEqual(await store.complete([done, done]), [Status.OK, Status.OK]);
    const failed = await store.fail([{
      id: b!.id,
      token: b!.token,
      error: "{}",
      retryDelay: null,
    }]);
    assert.deepEqual(failed, [{ status: Status.OK, state: "dead" }]);
    assert.equal(await store.getJob(ok.id), null);
    assert.equal(await store.getJob(bad.id), null);
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.active, counts.states.completed, counts.states.dead], [
      0,
      0,
      0,
    ]);
    assert.deepEqual(await store.complete([done]), [Status.NOT_FOUND]);
  },
};
