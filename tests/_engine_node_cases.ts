/**
 * Engine cases of worker nodes that need no subprocess: node records, slots kept for the upper
 * lanes, hand-back on stop, and callbacks for jobs whose final attempt stalled. Run against every
 * store by the store test runners.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, type JobInfo, silentLogger } from "../mod.ts";
import type { ConformanceCases } from "../src/store/_conformance.ts";
import { until } from "./_engine_conformance.ts";

/** Waits until its signal aborts (or `ms`, when given). */
const Hold = define(
  { name: "hold", payload: z.object({ ms: z.number().optional() }), queue: "nodes" },
  (_payload, { signal }) =>
    new Promise((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      if (_payload.ms !== undefined) setTimeout(() => resolve("done"), _payload.ms);
    }),
);

/** The node cases. */
export const NODE_CASES: ConformanceCases = {
  async "nodes: a worker registers, heartbeats, and deregisters on stop"(ctx) {
    const engine = createEngine({
      store: await ctx.store(),
      clock: ctx.clock,
      logger: silentLogger,
      functions: [Hold],
    });
    const worker = engine.work({ concurrency: 3, leader: false });
    await worker.ready;
    const [node] = await engine.store.listNodes();
    assert.equal(node!.id, worker.id);
    assert.deepEqual(node!.queues, ["nodes"]);
    assert.equal(node!.concurrency, 3);
    assert.equal(node!.pid, Deno.pid);
    await worker.stop();
    assert.deepEqual(await engine.store.listNodes(), []);
    await engine.close();
  },

  async "nodes: slots are kept for the upper lanes"(ctx) {
    const engine = createEngine({
      store: await ctx.store(),
      clock: ctx.clock,
      logger: silentLogger,
      functions: [Hold],
    });
    const low = await engine.enqueueBulk(
      Array.from({ length: 6 }, () => ({ job: Hold, payload: {}, options: { priority: "low" } })),
    );
    const worker = engine.work({
      concurrency: 4,
      reservedSlots: 1,
      prefetch: 0,
      leader: false,
      idlePollMs: 20,
    });
    await until(() => engine.counts("nodes"), (c) => c.states.active === 3);
    const urgent = await engine.enqueue(Hold, { ms: 1 }, { priority: "critical" });
    await until(() => engine.getJob(urgent), (j) => j?.state === "completed");
    const counts = await engine.counts("nodes");
    assert.equal(counts.lanes.low.active, 3, "low jobs took the reserved slot");
    assert.equal(counts.lanes.low.waiting, 3);
    await worker.stop({ drainMs: 0 });
    // stopping handed the unfinished low jobs back without spending their attempt
    for (const id of low) {
      const job = (await engine.getJob(id))!;
      assert.equal(job.state, "waiting");
      assert.equal(job.attempts, 0);
    }
    await engine.close();
  },

  async "nodes: a job ending after a reserve that drained the queue asks the store nothing"(ctx) {
    const store = await ctx.store();
    let reserves = 0;
    let idleWaits = 0;
    const reserve = store.reserve.bind(store);
    store.reserve = (request) => {
      reserves++;
      return reserve(request);
    };
    const idleWait = store.idleWait.bind(store);
    store.idleWait = (queues, worker) => {
      idleWaits++;
      return idleWait(queues, worker);
    };
    const engine = createEngine({
      store,
      clock: ctx.clock,
      logger: silentLogger,
      functions: [Hold],
    });
    const [short] = await engine.enqueueBulk([
      { job: Hold, payload: { ms: 1 } },
      { job: Hold, payload: {} },
    ]);
    // polls would ask the store too: none comes within this test
    const worker = engine.work({ concurrency: 4, prefetch: 0, leader: false, idlePollMs: 60_000 });
    try {
      await until(() => engine.getJob(short!), (j) => j?.state === "completed");
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(reserves, 1, "the freed slot sent the node to the store again");
      assert.equal(idleWaits, 0, "the drained reserve answered the idle wait itself");
      // new work announces itself: it starts at once, with one more reserve
      const next = await engine.enqueue(Hold, { ms: 1 });
      await until(() => engine.getJob(next), (j) => j?.state === "completed", { timeoutMs: 5_000 });
      assert.equal(reserves, 2);
      assert.equal(idleWaits, 0);
    } finally {
      await worker.stop({ drainMs: 0 });
      await engine.close();
    }
  },

  async "nodes: a busy node starts a delayed job when it falls due, without polling"(ctx) {
    const engine = createEngine({
      store: await ctx.store(),
      clock: ctx.clock,
      logger: silentLogger,
      functions: [Hold],
    });
    const worker = engine.work({ concurrency: 4, prefetch: 0, leader: false, idlePollMs: 60_000 });
    try {
      await worker.ready;
      await new Promise((r) => setTimeout(r, 50)); // idle: it read that nothing is delayed
      // one call: the node wakes once, starts the first job (which holds its slot) and must
      // learn the second's due time then, as nothing wakes it when that time comes
      const [, delayed] = await engine.enqueueBulk([
        { job: Hold, payload: {} },
        { job: Hold, payload: { ms: 1 }, options: { delay: 200 } },
      ]);
      ctx.clock.advance(200); // the store's clock; the node waits the 200 ms on its own timer
      await until(() => engine.getJob(delayed!), (j) => j?.state === "completed", {
        timeoutMs: 5_000,
      });
    } finally {
      await worker.stop({ drainMs: 0 });
      await engine.close();
    }
  },

  async "nodes: a job whose last attempt stalls is dead-lettered by the leader, with onDead"(ctx) {
    const dead: JobInfo[] = [];
    const store = await ctx.store();
    const engine = createEngine({
      store,
      clock: ctx.clock,
      logger: silentLogger,
      functions: [Hold],
      onDead: (job) => void dead.push(job),
    });
    const id = await engine.enqueue(Hold, {}, { retry: { attempts: 1 } });
    // a worker that leases the job and dies without a trace
    await store.reserve({ worker: "ghost", queues: ["nodes"], count: 1, leaseMs: 1_000 });
    const worker = engine.work({
      queues: ["other"],
      heartbeatMs: 20,
      nodeTtlMs: 1_000,
      leader: { ttlMs: 1_000, renewMs: 100 },
    });
    await until(() => Promise.resolve(worker.isLeader), (leads) => leads);
    ctx.clock.advance(1_000);
    await until(() => Promise.resolve(dead.length), (n) => n === 1);
    assert.equal(dead[0]!.id, id);
    assert.equal(dead[0]!.state, "dead");
    assert.equal(dead[0]!.error!.name, "StalledError");
    await worker.stop();
    await engine.close();
  },
};
