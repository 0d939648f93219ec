/**
 * Store conformance cases of the cluster records: nodes, leadership with fencing epochs, and
 * reaping dead nodes. Part of the one store suite: `runStoreConformance` in
 * `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Status } from "../job/status.ts";
import { type ConformanceCases, newJob, NODE, W } from "./_conformance.ts";

/** The cases. */
export const CLUSTER_CASES: ConformanceCases = {
  async "nodes register, heartbeat, expire, list and deregister"(ctx) {
    const store = await ctx.store();
    const t0 = ctx.clock.now();
    const info = (id: string, queues = ["q"]) => ({ ...NODE, id, queues, startedAt: t0 - 1_000 });
    await store.registerNode(info("n2"), 10_000);
    await store.registerNode(info("n1", ["q", "other"]), 5_000);
    assert.deepEqual(await store.listNodes(), [
      {
        ...info("n1", ["q", "other"]),
        heartbeatAt: t0,
        expiresAt: t0 + 5_000,
        busy: 0,
        completed: 0,
        failed: 0,
        prefetched: 0,
      },
      {
        ...info("n2"),
        heartbeatAt: t0,
        expiresAt: t0 + 10_000,
        busy: 0,
        completed: 0,
        failed: 0,
        prefetched: 0,
      },
    ]);
    await store.enqueue(Array.from({ length: 3 }, () => newJob()));
    await store.reserve({ ...W, worker: "n1", count: 1, prefetch: 2 });
    ctx.clock.advance(4_000);
    assert.equal(await store.heartbeat("n1", { busy: 3, completed: 40, failed: 2 }, 5_000), true);
    let [n1] = await store.listNodes();
    assert.deepEqual(
      [n1!.heartbeatAt, n1!.expiresAt, n1!.busy, n1!.prefetched, n1!.completed, n1!.failed],
      [t0 + 4_000, t0 + 9_000, 3, 2, 40, 2],
    );
    // expired records stay listed until reaped; a heartbeat in time keeps one alive
    ctx.clock.advance(6_000);
    const nodes = await store.listNodes();
    assert.deepEqual(nodes.map((n) => [n.id, n.expiresAt <= ctx.clock.now()]), [
      ["n1", true],
      ["n2", true],
    ]);
    assert.equal(await store.heartbeat("n2", { busy: 0 }, 5_000), true);
    await store.deregisterNode("n2");
    assert.equal(await store.heartbeat("n2", { busy: 0 }, 5_000), false);
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["n1"]);
    // registering again is an upsert: busy resets
    await store.registerNode(info("n1"), 5_000);
    [n1] = await store.listNodes();
    assert.deepEqual([n1!.queues, n1!.busy, n1!.expiresAt], [["q"], 0, ctx.clock.now() + 5_000]);
    await store.deregisterNode("never-registered");
  },

  // --- leadership -----------------------------------------------------------------------------
  async "leadership: acquire, contend, renew, lapse, re-acquire with a higher epoch"(ctx) {
    const store = await ctx.store();
    assert.equal(await store.getLeader(), null);
    const a = await store.acquireLeadership("n1", 10_000);
    assert.ok(a);
    assert.equal(a.node, "n1");
    assert.equal(a.expiresAt, ctx.clock.now() + 10_000);
    assert.ok(a.token.length >= 16);
    assert.equal(await store.acquireLeadership("n2", 10_000), null);
    assert.equal(await store.acquireLeadership("n1", 10_000), null); // it must renew instead
    assert.deepEqual(await store.getLeader(), {
      node: "n1",
      epoch: a.epoch,
      expiresAt: a.expiresAt,
    });
    ctx.clock.advance(5_000);
    const renewed = await store.renewLeadership(a, 10_000);
    assert.deepEqual(renewed, { ...a, expiresAt: ctx.clock.now() + 10_000 });
    assert.equal(await store.renewLeadership({ ...a, token: "forged" }, 10_000), null);
    assert.equal(await store.renewLeadership({ ...a, epoch: a.epoch + 1 }, 10_000), null);
    assert.equal((await store.getLeader())!.expiresAt, renewed!.expiresAt);
    ctx.clock.advance(9_999);
    assert.equal(await store.acquireLeadership("n2", 10_000), null);
    ctx.clock.advance(1); // lapsed
    assert.equal(await store.getLeader(), null);
    assert.equal(await store.renewLeadership(renewed!, 10_000), null); // too late
    const b = await store.acquireLeadership("n2", 10_000);
    assert.ok(b);
    assert.ok(b.epoch > a.epoch);
    assert.notEqual(b.token, a.token);
    assert.equal(await store.renewLeadership(renewed!, 10_000), null); // not the current one
    await store.resignLeadership(a); // the old holder's resign leaves the new lease alone
    assert.deepEqual(await store.getLeader(), {
      node: "n2",
      epoch: b.epoch,
      expiresAt: b.expiresAt,
    });
  },
  async "resign frees the lease: another node acquires at once, with the next epoch"(ctx) {
    const store = await ctx.store();
    const a = await store.acquireLeadership("n1", 60_000);
    await store.resignLeadership(a!);
    assert.equal(await store.getLeader(), null);
    assert.equal(await store.renewLeadership(a!, 60_000), null);
    const b = await store.acquireLeadership("n2", 60_000);
    assert.equal(b!.epoch, a!.epoch + 1);
    assert.equal((await store.reapDeadNodes(a!)).status, Status.NOT_LEADER);
    assert.equal((await store.reapDeadNodes(b!)).status, Status.OK);
  },
  async "an old leader's reapDeadNodes is NOT_LEADER and changes nothing"(ctx) {
    const store = await ctx.store();
    const job = newJob();
    await store.enqueue([job]);
    await store.registerNode({ ...NODE, id: "gone" }, 1_000);
    await store.reserve({ ...W, worker: "gone", count: 1, leaseMs: 60_000 });
    const old = await store.acquireLeadership("l1", 5_000);
    ctx.clock.advance(5_000);
    const refused = { status: Status.NOT_LEADER, outcome: { nodes: [], requeued: [], dead: [] } };
    assert.deepEqual(await store.reapDeadNodes(old!), refused); // lapsed
    const next = await store.acquireLeadership("l2", 5_000);
    assert.deepEqual(await store.reapDeadNodes(old!), refused); // superseded
    assert.deepEqual(await store.reapDeadNodes({ ...next!, epoch: next!.epoch - 1 }), refused);
    assert.deepEqual(await store.reapDeadNodes({ ...next!, token: old!.token }), refused);
    const got = await store.getJob(job.id);
    assert.deepEqual([got!.state, got!.worker, got!.stalls], ["active", "gone", 0]);
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["gone"]);
    assert.deepEqual(await store.reapDeadNodes(next!), {
      status: Status.OK,
      outcome: { nodes: ["gone"], requeued: [job.id], dead: [] },
    });
  },
  async "reap requeues a dead node's active jobs at once and dead-letters last attempts"(ctx) {
    const store = await ctx.store();
    await store.registerNode({ ...NODE, id: "dying" }, 1_000);
    await store.registerNode({ ...NODE, id: "alive" }, 60_000);
    const [j1, j2, j3, j4] = [newJob(), newJob({ maxAttempts: 1 }), newJob(), newJob()];
    const j5 = newJob();
    await store.enqueue([j1, j2, j3, j4]);
    const lease = { ...W, leaseMs: 60_000 };
    const held = await store.reserve({ ...lease, worker: "dying", count: 3, prefetch: 1 });
    assert.deepEqual(held.map((r) => [r.id, r.started]), [
      [j1.id, true],
      [j2.id, true],
      [j3.id, true],
      [j4.id, false],
    ]);
    await store.cancel(j3.id);
    await store.enqueue([j5]);
    await store.reserve({ ...lease, worker: "alive", count: 1 });
    assert.equal((await store.listNodes())[1]!.prefetched, 1);
    const leader = await store.acquireLeadership("alive", 60_000);
    assert.deepEqual(await store.reapDeadNodes(leader!), {
      status: Status.OK,
      outcome: { nodes: [], requeued: [], dead: [] },
    });
    ctx.clock.advance(1_000); // "dying" is dead; its leases still run for 59 s
    assert.deepEqual(await store.reclaimExpired(), { requeued: [], dead: [] });
    const { status, outcome } = await store.reapDeadNodes(leader!);
    assert.equal(status, Status.OK);
    assert.deepEqual(outcome.nodes, ["dying"]);
    assert.deepEqual([...outcome.requeued].sort(), [j1.id, j4.id].sort());
    assert.deepEqual([...outcome.dead].sort(), [j2.id, j3.id].sort());
    const state = async (id: string) => {
      const got = await store.getJob(id);
      return [got!.state, got!.stalls];
    };
    assert.deepEqual(await state(j1.id), ["waiting", 1]);
    assert.deepEqual(await state(j2.id), ["dead", 1]);
    assert.equal(JSON.parse((await store.getJob(j2.id))!.error!).name, "StalledError");
    assert.deepEqual(await state(j3.id), ["cancelled", 1]);
    assert.deepEqual(await state(j4.id), ["waiting", 0]); // prefetched: it never started
    assert.deepEqual(await state(j5.id), ["active", 0]);
    // the dead node's leases are void, its prefetched job is not stealable, its record is gone
    assert.deepEqual(await store.complete([{ id: j1.id, token: held[0]!.token, result: null }]), [
      Status.LEASE_LOST,
    ]);
    assert.deepEqual(await store.start([{ id: j4.id, token: held[3]!.token }]), [
      Status.LEASE_LOST,
    ]);
    assert.deepEqual(await store.steal({ ...lease, worker: "alive", count: 5 }), []);
    assert.deepEqual((await store.listNodes()).map((n) => [n.id, n.prefetched]), [["alive", 0]]);
    assert.equal(await store.heartbeat("dying", { busy: 0 }, 1_000), false);
    // back at the front, in the order they were taken
    const again = await store.reserve({ ...lease, worker: "alive", count: 5 });
    assert.deepEqual(again.map((r) => [r.id, r.attempt, r.stalls]), [[j1.id, 2, 1], [j4.id, 1, 0]]);
    assert.deepEqual((await store.reapDeadNodes(leader!)).outcome.nodes, []);
  },
};
