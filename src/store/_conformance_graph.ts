/**
 * Store conformance cases of job dependencies: blocking and unblocking, failure policies (also
 * transitive), retention pins, priority inheritance, and the reads that show a graph. Part of
 * the one store suite: `runStoreConformance` in `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { UnknownPrerequisiteError } from "../job/enqueue_errors.ts";
import { Status } from "../job/status.ts";
import { type ConformanceCases, newJob, W } from "./_conformance.ts";
import type { Store } from "./store.ts";

const ERROR = '{"name":"Error","message":"boom"}';

/** Reserves `id` (the next job of queue q) and completes it. */
async function run(store: Store, id: string, outcome: "complete" | "dead" = "complete") {
  const [r] = await store.reserve({ ...W, count: 1 });
  assert.equal(r?.id, id, `expected ${id} to run next`);
  if (outcome === "complete") {
    assert.deepEqual(await store.complete([{ id, token: r!.token, result: null }]), [Status.OK]);
  } else {
    await store.fail([{ id, token: r!.token, error: ERROR, retryDelay: null }]);
  }
}

const stateOf = async (store: Store, id: string) => (await store.getJob(id))!.state;

/** Cases of job dependencies. */
export const GRAPH_CASES: ConformanceCases = {
  async "a job with open prerequisites is blocked until they complete"(ctx) {
    const store = await ctx.store();
    const [a, b] = [newJob(), newJob()];
    const c = newJob({ dependsOn: [a.id, b.id] });
    const outs = await store.enqueue([a, b, c]);
    assert.deepEqual(outs.map((o) => o.state), ["waiting", "waiting", "blocked"]);
    let got = (await store.getJob(c.id))!;
    assert.deepEqual([got.prerequisites, got.openPrerequisites], [[a.id, b.id], 2]);
    assert.equal((await store.getJob(a.id))!.dependents, 1);
    assert.equal((await store.counts("q")).states.blocked, 1);
    const blocked = await store.listJobs({ queue: "q", state: "blocked" });
    assert.deepEqual(blocked.jobs.map((j) => j.id), [c.id]);
    await run(store, a.id);
    got = (await store.getJob(c.id))!;
    assert.deepEqual([got.state, got.openPrerequisites], ["blocked", 1]);
    await run(store, b.id);
    assert.equal(await stateOf(store, c.id), "waiting");
    assert.equal((await store.counts("q")).states.blocked, 0);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.deepEqual(r!.prerequisites, [a.id, b.id]);
    assert.deepEqual(await store.dependents(a.id), [c.id]);
  },

  async "completed prerequisites count as satisfied; a delay applies once unblocked"(ctx) {
    const store = await ctx.store();
    const a = newJob();
    await store.enqueue([a]);
    await run(store, a.id);
    const [out] = await store.enqueue([newJob({ dependsOn: [a.id] })]);
    assert.equal(out!.state, "waiting");
    const b = newJob();
    const late = newJob({ dependsOn: [b.id], delay: 5_000 });
    await store.enqueue([b, late]);
    await store.reserve({ ...W, count: 1 }); // the first one
    await run(store, b.id);
    assert.equal(await stateOf(store, late.id), "delayed");
    ctx.clock.advance(5_000);
    assert.equal((await store.reserve({ ...W, count: 1 }))[0]!.id, late.id);
  },

  async "an unknown prerequisite refuses the whole call, naming the item"(ctx) {
    const store = await ctx.store();
    const a = newJob();
    const b = newJob({ dependsOn: ["no-such-job"] });
    await assert.rejects(
      () => store.enqueue([a, b]),
      (e) => e instanceof UnknownPrerequisiteError && e.index === 1,
    );
    assert.equal(await store.getJob(a.id), null);
    assert.deepEqual(await store.queues(), []);
  },

  async "policy fail dead-letters dependents through three levels"(ctx) {
    const store = await ctx.store();
    const root = newJob({ maxAttempts: 1 });
    const l1 = newJob({ dependsOn: [root.id] });
    const l2 = newJob({ dependsOn: [l1.id] });
    const l3 = newJob({ dependsOn: [l2.id] });
    const other = newJob();
    await store.enqueue([root, l1, l2, l3, other]);
    await run(store, root.id, "dead");
    for (const job of [l1, l2, l3]) {
      const got = (await store.getJob(job.id))!;
      assert.equal(got.state, "dead", job.id);
      assert.equal(JSON.parse(got.error!).name, "PrerequisiteFailedError");
    }
    assert.match(JSON.parse((await store.getJob(l1.id))!.error!).message, new RegExp(root.id));
    assert.match(JSON.parse((await store.getJob(l3.id))!.error!).message, new RegExp(l2.id));
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.dead, counts.states.blocked, counts.states.waiting], [4, 0, 1]);
  },

  async "policy skip counts a failed prerequisite as satisfied"(ctx) {
    const store = await ctx.store();
    const a = newJob({ maxAttempts: 1 });
    const b = newJob({ dependsOn: [a.id], onPrerequisiteFailure: "skip" });
    await store.enqueue([a, b]);
    await run(store, a.id, "dead");
    assert.equal(await stateOf(store, b.id), "waiting");
    // a prerequisite dead before the dependent came is skipped at once
    const [c] = await store.enqueue([newJob({ dependsOn: [a.id], onPrerequisiteFailure: "skip" })]);
    assert.equal(c!.state, "waiting");
  },

  async "policy wait stays blocked and continues after a dead-letter requeue"(ctx) {
    const store = await ctx.store();
    const a = newJob({ maxAttempts: 1 });
    const b = newJob({ dependsOn: [a.id], onPrerequisiteFailure: "wait" });
    await store.enqueue([a, b]);
    await run(store, a.id, "dead");
    assert.equal(await stateOf(store, b.id), "blocked");
    const [dead] = await store.enqueue([newJob({ dependsOn: [a.id] })]);
    assert.equal(dead!.state, "dead", "policy fail on a prerequisite dead already");
    await store.requeueDead({ queue: "q", ids: [a.id] });
    assert.equal(await stateOf(store, b.id), "blocked");
    await run(store, a.id);
    assert.equal(await stateOf(store, b.id), "waiting");
  },

  async "cancelling a prerequisite applies its dependents' policies"(ctx) {
    const store = await ctx.store();
    const a = newJob();
    const [fails, skips, waits] = (["fail", "skip", "wait"] as const).map((policy) =>
      newJob({ dependsOn: [a.id], onPrerequisiteFailure: policy })
    );
    await store.enqueue([a, fails!, skips!, waits!]);
    assert.deepEqual(await store.cancel(a.id), { status: Status.OK, state: "cancelled" });
    assert.equal(await stateOf(store, fails!.id), "dead");
    assert.equal(await stateOf(store, skips!.id), "waiting");
    assert.equal(await stateOf(store, waits!.id), "blocked");
    // cancelling a blocked job settles nothing upstream
    assert.deepEqual(await store.cancel(waits!.id), { status: Status.OK, state: "cancelled" });
    assert.equal((await store.getJob(waits!.id))!.openPrerequisites, 0);
  },

  async "a dependent raises its open ancestors to its lane; they keep the requested one"(ctx) {
    const store = await ctx.store();
    const grand = newJob({ lane: "batch" });
    const parent = newJob({ lane: "low", dependsOn: [grand.id] });
    await store.enqueue([grand, parent]);
    const backlog = Array.from({ length: 20 }, () => newJob({ lane: "normal" }));
    await store.enqueue(backlog);
    await store.enqueue([newJob({ lane: "critical", dependsOn: [parent.id] })]);
    const g = (await store.getJob(grand.id))!;
    assert.deepEqual([g.lane, g.requestedLane], ["critical", "batch"]);
    const p = (await store.getJob(parent.id))!;
    assert.deepEqual([p.lane, p.requestedLane], ["critical", "low"]);
    assert.equal((await store.counts("q")).lanes.critical.blocked, 2);
    const [first] = await store.reserve({ ...W, count: 1 });
    assert.equal(first!.id, grand.id, "the raised prerequisite runs before the backlog");
    assert.equal(first!.lane, "critical");
  },

  async "changePriority of a blocked job raises its open prerequisites"(ctx) {
    const store = await ctx.store();
    const a = newJob({ lane: "batch" });
    const b = newJob({ lane: "batch", dependsOn: [a.id] });
    await store.enqueue([a, b]);
    assert.deepEqual(await store.changePriority(b.id, "high"), {
      status: Status.OK,
      state: "blocked",
    });
    assert.equal((await store.getJob(a.id))!.lane, "high");
    assert.equal((await store.counts("q")).lanes.high.waiting, 1);
  },

  async "retention keeps a completed prerequisite until its dependents finish"(ctx) {
    const store = await ctx.store({ keepFinished: 1 });
    const a = newJob();
    const b = newJob({ dependsOn: [a.id] });
    await store.enqueue([a, b]);
    await run(store, a.id);
    for (let i = 0; i < 3; i++) {
      const job = newJob({ lane: "critical" });
      await store.enqueue([job]);
      await run(store, job.id);
    }
    assert.equal(await stateOf(store, a.id), "completed", "retention took a pinned result");
    await run(store, b.id);
    await store.enqueue([newJob({ lane: "critical" })]);
    await store.reserve({ ...W, count: 1 }).then((rs) =>
      store.complete(rs.map((r) => ({ id: r.id, token: r.token, result: null })))
    );
    assert.equal(await store.getJob(a.id), null, "released, it ages out like the rest");
    assert.equal((await store.counts("q")).states.completed, 1);
  },

  async "getJobs reads many jobs in order"(ctx) {
    const store = await ctx.store();
    const [a, b] = [newJob(), newJob()];
    await store.enqueue([a, b]);
    const got = await store.getJobs([b.id, "missing", a.id]);
    assert.deepEqual(got.map((j) => j?.id ?? null), [b.id, null, a.id]);
    await assert.rejects(() => store.getJobs(Array(1_001).fill("x")), RangeError);
  },
};
