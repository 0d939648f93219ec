/**
 * Handoffs from a worker node's side (`JobFetcher` over `Store.handoffs` on Redis): an idle node
 * runs jobs handed to it without reserving each, runs only what fits its free slots whoever
 * leased the jobs, and reserves again at once when jobs were handed while its reserve was in
 * flight. The store's side: `redis_handoff_test.ts`.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, type Engine, type EngineOptions, silentLogger } from "../mod.ts";
import type { Reservation } from "../src/job/job.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { Harness } from "./_handoff_harness.ts";
import { withRedis } from "./_redis_env.ts";

/** A job that waits for `gate` (and counts how many run at once in `load`). */
function blocking(gate: Promise<void>, load = { running: 0, most: 0 }) {
  return define({ name: "block", payload: z.object({}) }, async () => {
    load.most = Math.max(load.most, ++load.running);
    await gate;
    load.running--;
  });
}

await withRedis("Redis handoffs, worker side", (url) => {
  /** A case with a harness, and `make` to create an engine on its store (closed after). */
  const test = (
    name: string,
    fn: (h: Harness, make: (functions: EngineOptions["functions"]) => Engine) => Promise<void>,
  ) =>
    Deno.test({
      name: `handoff, worker: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const h = new Harness(url);
        const engines: Engine[] = [];
        try {
          await fn(h, (functions) => {
            const engine = createEngine({ store: h.store, logger: silentLogger, functions });
            engines.push(engine);
            return engine;
          });
        } finally {
          for (const engine of engines) await engine.close();
          await h.close();
        }
      },
    });

  test("an idle node runs jobs enqueued one at a time without reserving each", async (h, make) => {
    h.watch();
    const Echo = define({ name: "echo", payload: z.object({ n: z.number() }) }, ({ n }) => n);
    const engine = make([Echo]);
    const worker = engine.work({ concurrency: 4, idlePollMs: 60_000 });
    try {
      await worker.ready;
      await h.until(async () => await h.subscribers(worker.id) > 0, "the node's feed subscribed");
      await h.until(async () => {
        const redis = openConnection(url);
        try {
          return await redis.exists(h.keys.handoffRegistration(worker.id)) === 1;
        } finally {
          await closeConnection(redis);
        }
      }, "the idle node registered");
      const before = h.reserves;
      const jobs = 10;
      for (let n = 0; n < jobs; n++) {
        const done = new Promise<void>((resolve) => {
          const off = engine.on("completed", () => {
            off();
            resolve();
          });
        });
        await engine.enqueue(Echo, { n });
        await done;
      }
      // a reserve renews the registration after every 4 jobs handed (the node's free slots)
      assert.ok(
        h.reserves - before <= jobs / 2,
        `${jobs} jobs enqueued one at a time took ${h.reserves - before} reserves`,
      );
    } finally {
      await worker.stop();
    }
  });

  test(
    "a node handed more started jobs than it has free slots runs what fits, hands back the rest",
    async (h, make) => {
      h.watch();
      const gate = Promise.withResolvers<void>();
      const load = { running: 0, most: 0 };
      const Block = blocking(gate.promise, load);
      const engine = make([Block]);
      // the node serves "q" only: the jobs of "elsewhere" reach it only as delivered below
      const worker = engine.work({ queues: ["q"], concurrency: 2, idlePollMs: 60_000 });
      try {
        await worker.ready;
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          ids.push(await engine.enqueue(Block, {}, { queue: "elsewhere" }));
        }
        // three started leases for two free slots, as a handoff and a reserve of the node's own
        // may lease them when they cross
        const leased = await h.leaseElsewhere(worker.id, 3);
        assert.equal(leased.length, 3);
        await h.until(() => h.deliver !== null, "the node opened its feed");
        h.deliver!(leased);
        await h.until(() => load.running === 2, "two jobs run");
        const states = async () => (await h.store.getJobs(ids)).map((j) => j?.state);
        await h.until(
          async () => (await states()).filter((s) => s === "waiting").length === 1,
          "the third job was handed back",
        );
        gate.resolve();
        await h.until(
          async () => (await states()).filter((s) => s === "completed").length === 2,
          "the two jobs completed",
        );
        assert.equal(load.most, 2);
      } finally {
        gate.resolve();
        await worker.stop();
      }
    },
  );

  test(
    "a node handed jobs while its reserve was in flight reserves again at once",
    async (h, make) => {
      let inject: Reservation[] = [];
      // a handoff made just before a reserve, whose message comes before the reserve's reply
      h.watch(() => {
        if (inject.length > 0) h.deliver!(inject.splice(0));
      });
      const gate = Promise.withResolvers<void>();
      const Block = blocking(gate.promise);
      const engine = make([Block]);
      const worker = engine.work({ queues: ["q"], concurrency: 2, idlePollMs: 60_000 });
      try {
        await worker.ready;
        await h.until(() => h.reserves > 0 && h.deliver !== null, "the node reserved and listens");
        await new Promise((r) => setTimeout(r, 100)); // the node waits, idle and registered
        const id = await engine.enqueue(Block, {}, { queue: "elsewhere" });
        inject = await h.leaseElsewhere(worker.id, 1);
        assert.deepEqual(inject.map((j) => j.id), [id]);
        const before = h.reserves;
        await engine.resume("q", { create: true }); // wakes the idle node: it reserves
        await h.until(() => h.reserves >= before + 2, "the node reserved again after the handoff");
      } finally {
        gate.resolve();
        await worker.stop();
      }
    },
  );
});
