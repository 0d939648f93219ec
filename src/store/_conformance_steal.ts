/**
 * Store conformance cases of prefetch and stealing: unstarted leases, `start`, and what `steal`
 * takes from whom. Part of the one store suite: `runStoreConformance` in
 * `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Status } from "../job/status.ts";
import { type ConformanceCases, newJob, W } from "./_conformance.ts";

/** The cases. */
export const STEAL_CASES: ConformanceCases = {
  async "reserve with prefetch leases extra jobs unstarted; start marks them started"(ctx) {
    const store = await ctx.store();
    const jobs = Array.from({ length: 6 }, () => newJob());
    await store.enqueue(jobs);
    const rs = await store.reserve({ ...W, count: 2, prefetch: 3 });
    assert.deepEqual(rs.map((r) => r.id), jobs.slice(0, 5).map((j) => j.id));
    assert.deepEqual(rs.map((r) => r.started), [true, true, false, false, false]);
    assert.deepEqual(rs.map((r) => r.attempt), [1, 1, 1, 1, 1]);
    assert.equal(new Set(rs.map((r) => r.token)).size, 5);
    assert.equal((await store.counts("q")).states.active, 5);
    const reservedAt = ctx.clock.now();
    ctx.clock.advance(10);
    const proof = (i: number) => ({ id: rs[i]!.id, token: rs[i]!.token });
    assert.deepEqual(
      await store.start([proof(2), proof(0), { id: "nope", token: "x" }, {
        ...proof(3),
        token: "x",
      }]),
      [Status.OK, Status.OK, Status.NOT_FOUND, Status.LEASE_LOST],
    );
    assert.equal((await store.getJob(rs[2]!.id))!.startedAt, ctx.clock.now());
    assert.equal((await store.getJob(rs[0]!.id))!.startedAt, reservedAt);
    assert.deepEqual(await store.start([proof(2)]), [Status.OK]); // again: harmless
    // started jobs are never stolen: two stay prefetched, and half of them (1) go
    const stolen = await store.steal({ worker: "w2", queues: ["q"], count: 10, leaseMs: 1_000 });
    assert.deepEqual(stolen.map((r) => r.id), [rs[3]!.id]);
    assert.deepEqual(await store.start([proof(3), proof(4)]), [Status.LEASE_LOST, Status.OK]);
    assert.deepEqual(await store.steal({ worker: "w2", queues: ["q"], count: 10, leaseMs: 1 }), []);
    await store.complete([{ ...proof(4), result: null }]);
    assert.deepEqual(await store.start([proof(4)]), [Status.LEASE_LOST]); // no longer active
  },
  async "steal takes up to half, rounded up, from the busiest other node, earliest first"(ctx) {
    const store = await ctx.store();
    await store.enqueue(Array.from({ length: 20 }, () => newJob()));
    const a = await store.reserve({ ...W, worker: "a", count: 1, prefetch: 5 });
    const b = await store.reserve({ ...W, worker: "b", count: 0, prefetch: 2 });
    await store.reserve({ ...W, worker: "t", count: 0, prefetch: 7 }); // the thief's own
    ctx.clock.advance(100);
    const steal = (count: number) =>
      store.steal({ worker: "t", queues: ["q"], count, leaseMs: 5_000 });
    const first = await steal(10);
    assert.deepEqual(first.map((r) => r.id), a.slice(1, 4).map((r) => r.id));
    for (const [i, r] of first.entries()) {
      assert.equal(r.started, true);
      assert.equal(r.attempt, 1); // the prefetched attempt never started: not counted again
      assert.equal(r.startedAt, ctx.clock.now());
      assert.equal(r.leaseDeadline, ctx.clock.now() + 5_000);
      assert.notEqual(r.token, a[i + 1]!.token);
      const got = await store.getJob(r.id);
      assert.equal(got!.worker, "t");
      assert.equal(got!.attempts, 1);
      assert.equal(got!.leaseDeadline, ctx.clock.now() + 5_000);
    }
    // the victim's old lease is void, the thief's works
    const old = { id: a[1]!.id, token: a[1]!.token };
    assert.deepEqual(await store.complete([{ ...old, result: null }]), [Status.LEASE_LOST]);
    assert.equal(
      (await store.fail([{ ...old, error: "{}", retryDelay: null }]))[0]!.status,
      Status.LEASE_LOST,
    );
    assert.deepEqual(await store.extendLeases([old], 1_000), [Status.LEASE_LOST]);
    assert.deepEqual(await store.release([old]), [Status.LEASE_LOST]);
    assert.deepEqual(await store.start([old]), [Status.LEASE_LOST]);
    assert.deepEqual(
      await store.extendLeases([{ id: first[0]!.id, token: first[0]!.token }], 1_000),
      [Status.OK],
    );
    assert.equal((await store.getJob(a[1]!.id))!.state, "active");
    // a and b hold 2 each: the tie goes to the lower id; then b holds the most
    assert.deepEqual((await steal(10)).map((r) => r.id), [a[4]!.id]);
    assert.deepEqual((await steal(1)).map((r) => r.id), [b[0]!.id]);
    assert.deepEqual((await steal(1)).map((r) => r.id), [a[5]!.id]);
    assert.deepEqual((await steal(5)).map((r) => r.id), [b[1]!.id]);
    // only the thief holds prefetched jobs now, and a thief never robs itself
    assert.deepEqual(await steal(10), []);
    assert.equal((await store.getJob(a[0]!.id))!.worker, "a"); // started: never stolen
  },
  async "steal only takes jobs of the thief's queues"(ctx) {
    const store = await ctx.store();
    const [x1, x2, y1] = [newJob({ queue: "x" }), newJob({ queue: "x" }), newJob({ queue: "y" })];
    await store.enqueue([x1, x2, y1]);
    await store.reserve({ ...W, worker: "a", queues: ["x", "y"], count: 0, prefetch: 3 });
    await store.enqueue(Array.from({ length: 4 }, () => newJob({ queue: "x" })));
    await store.reserve({ ...W, worker: "c", queues: ["x"], count: 0, prefetch: 4 });
    // c holds the most prefetched jobs, but none of the thief's queues
    const queues = ["y", "z"];
    const stolen = await store.steal({ worker: "t", queues, count: 10, leaseMs: 1_000 });
    assert.deepEqual(stolen.map((r) => [r.id, r.queue]), [[y1.id, "y"]]);
    assert.deepEqual(await store.steal({ worker: "t", queues, count: 10, leaseMs: 1_000 }), []);
    assert.deepEqual(await store.steal({ worker: "t", queues: ["x"], count: 0, leaseMs: 1 }), []);
  },
  async "a prefetched job that leaves the active state can no longer be stolen"(ctx) {
    const store = await ctx.store();
    await store.enqueue(Array.from({ length: 4 }, () => newJob()));
    const rs = await store.reserve({ ...W, count: 0, prefetch: 4, leaseMs: 1_000 });
    const proof = (i: number) => ({ id: rs[i]!.id, token: rs[i]!.token });
    await store.complete([{ ...proof(0), result: null }]);
    await store.fail([{ ...proof(1), error: "{}", retryDelay: 60_000 }]);
    await store.release([{ ...proof(2), delay: 60_000 }]);
    const steal = () => store.steal({ worker: "t", queues: ["q"], count: 10, leaseMs: 1_000 });
    assert.deepEqual((await steal()).map((r) => r.id), [rs[3]!.id]);
    await store.enqueue([newJob()]);
    await store.reserve({ ...W, count: 0, prefetch: 1, leaseMs: 100 });
    ctx.clock.advance(100);
    assert.equal((await store.reclaimExpired()).requeued.length, 1);
    assert.deepEqual(await steal(), []);
  },
};
