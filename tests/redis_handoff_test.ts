/**
 * Handoffs on Redis (`Store.handoffs`, `lua/_handoff.lua`): a reserve that leaves a node idle
 * registers it, and a later enqueue leases the new job straight to it, delivered on its feed, as
 * a reserve would have leased it (lanes kept for the upper lanes, pauses, its free slots), to a
 * node still listening only; anything it cannot take stays in its lane and wakes the queue.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, silentLogger } from "../mod.ts";
import type { Reservation } from "../src/job/job.ts";
import { Status } from "../src/job/status.ts";
import { newJob, W } from "../src/store/_conformance.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { Keys } from "../src/store/redis/keys.ts";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import type { HandoffFeed, NewJob, ReserveRequest } from "../src/store/store.ts";
import { withRedis } from "./_redis_env.ts";

/** A store of its own namespace and one node's feed of handed jobs. */
class Harness {
  readonly namespace = `test-${crypto.randomUUID()}`;
  readonly keys = new Keys(this.namespace);
  readonly store: RedisStore;
  readonly handed: Reservation[] = [];
  readonly errors: unknown[] = [];
  feed: HandoffFeed | null = null;

  constructor(readonly url: string) {
    this.store = new RedisStore({ url, namespace: this.namespace });
  }

  /** Opens the node's feed and waits until Redis counts its subscription. */
  async listen(): Promise<void> {
    this.feed = this.store.handoffs(W.worker, W.queues, {
      onJobs: (jobs) => this.handed.push(...jobs),
      onError: (error) => this.errors.push(error),
    });
    await this.until(async () => await this.subscribers() > 0, "the feed subscribed");
  }

  /** How many connections listen on the channel of node `worker`. */
  async subscribers(worker: string = W.worker): Promise<number> {
    const redis = openConnection(this.url);
    try {
      const reply = await redis.pubsub("NUMSUB", this.keys.handoffs(worker)) as unknown[];
      return Number(reply[1]);
    } finally {
      await closeConnection(redis);
    }
  }

  /** A reserve of node W that finds `queue` empty and so registers it, with `count` free slots. */
  async goIdle(count: number, extra: Partial<ReserveRequest> = {}): Promise<void> {
    const leased = await this.store.reserve({
      ...W,
      count,
      onIdle: () => {},
      handoffMs: 30_000,
      ...extra,
    });
    assert.deepEqual(leased, [], "the queue was not empty");
  }

  /** Waits (at most 5 s) until `check` holds. */
  async until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`not within 5 s: ${what}`);
  }

  /**
   * Enqueues a job (of `overrides`) and checks that it waits in its lane, not handed: the feed
   * still holds `handed` jobs once what was published has had time to arrive.
   */
  async enqueueUnhanded(handed: number, overrides: Partial<NewJob> = {}): Promise<void> {
    const job = newJob(overrides);
    await this.store.enqueue([job]);
    assert.equal(await this.settled(), handed);
    assert.equal((await this.store.getJob(job.id))?.state, "waiting");
  }

  /** Gives messages already published time to arrive, then says how many jobs were handed. */
  async settled(): Promise<number> {
    await new Promise((r) => setTimeout(r, 100));
    return this.handed.length;
  }

  async close(): Promise<void> {
    await this.feed?.close();
    await dropNamespace(this.url, this.namespace);
    await this.store.close();
  }
}

await withRedis("Redis handoffs", (url) => {
  const test = (name: string, fn: (h: Harness) => Promise<void>) =>
    Deno.test({
      name: `handoff: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const h = new Harness(url);
        try {
          await fn(h);
        } finally {
          await h.close();
        }
      },
    });

  test("an enqueue leases the job straight to the idle node, started, as a reserve would", async (h) => {
    await h.listen();
    await h.goIdle(4);
    const job = newJob();
    await h.store.enqueue([job]);
    await h.until(() => h.handed.length === 1, "the job was handed");
    const [lease] = h.handed;
    assert.equal(lease!.id, job.id);
    assert.equal(lease!.started, true);
    assert.equal(lease!.attempt, 1);
    assert.equal((await h.store.getJob(job.id))?.state, "active");
    assert.deepEqual(await h.store.reserve({ ...W, worker: "w2", count: 4 }), []);
    assert.deepEqual(await h.store.complete([{ id: job.id, token: lease!.token, result: null }]), [
      Status.OK,
    ]);
    assert.equal((await h.store.getJob(job.id))?.state, "completed");
    assert.deepEqual(h.errors, []);
  });

  test("a node is handed no more than its free slots; the rest wait and wake the queue", async (h) => {
    await h.listen();
    await h.goIdle(2);
    const woken = h.store.waitForWork(["q"], 5_000).then(() => true);
    const jobs = [newJob(), newJob(), newJob()];
    await h.store.enqueue(jobs);
    await h.until(() => h.handed.length === 2, "two jobs were handed");
    assert.deepEqual(h.handed.map((j) => j.id), jobs.slice(0, 2).map((j) => j.id));
    assert.equal(await woken, true);
    assert.equal((await h.store.getJob(jobs[2]!.id))?.state, "waiting");
    // its two slots are taken: the next job is not handed to it
    await h.enqueueUnhanded(2);
  });

  test("each job handed one by one gets a lease token of its own", async (h) => {
    await h.listen();
    await h.goIdle(3);
    for (let i = 0; i < 3; i++) await h.store.enqueue([newJob()]);
    await h.until(() => h.handed.length === 3, "three jobs were handed");
    assert.equal(new Set(h.handed.map((j) => j.token)).size, 3);
    const proofs = h.handed.map(({ id, token }) => ({ id, token, result: null }));
    assert.deepEqual(await h.store.complete(proofs), [Status.OK, Status.OK, Status.OK]);
  });

  test("jobs handed prefetched one by one get lease tokens of their own", async (h) => {
    await h.listen();
    // no slot for the lower lanes: a normal job can only be prefetched
    await h.goIdle(2, { lowerLaneLimit: 0, prefetch: 3 });
    for (let i = 0; i < 3; i++) await h.store.enqueue([newJob()]);
    await h.until(() => h.handed.length === 3, "three jobs were handed");
    assert.ok(h.handed.every((j) => !j.started), "the jobs were handed prefetched");
    assert.equal(new Set(h.handed.map((j) => j.token)).size, 3);
  });

  test("a reserve that prefetched jobs registers only the prefetch room left", async (h) => {
    await h.listen();
    const first = newJob();
    await h.store.enqueue([first]);
    // no slot for the lower lanes: the waiting job is prefetched, one of the two prefetch places
    const leased = await h.store.reserve({
      ...W,
      count: 2,
      prefetch: 2,
      lowerLaneLimit: 0,
      onIdle: () => {},
      handoffMs: 30_000,
    });
    assert.deepEqual(leased.map((j) => [j.id, j.started]), [[first.id, false]]);
    const [second, third] = [newJob(), newJob()];
    await h.store.enqueue([second]);
    await h.store.enqueue([third]);
    await h.until(() => h.handed.length === 1, "one job was handed");
    assert.equal(await h.settled(), 1);
    assert.equal(h.handed[0]!.id, second.id);
    assert.equal((await h.store.getJob(third.id))?.state, "waiting");
  });

  test("a steal that took jobs drops the thief's registration", async (h) => {
    const victimJobs = [newJob(), newJob()];
    await h.store.enqueue(victimJobs);
    // another node prefetches both (it has no slot free for them)
    await h.store.reserve({ ...W, worker: "victim", count: 1, prefetch: 2, lowerLaneLimit: 0 });
    await h.listen();
    await h.goIdle(2);
    const stolen = await h.store.steal({ ...W, count: 1 });
    assert.equal(stolen.length, 1);
    const redis = openConnection(h.url);
    try {
      assert.equal(await redis.get(h.keys.handoffRegistration(W.worker)), null);
    } finally {
      await closeConnection(redis);
    }
    await h.enqueueUnhanded(0);
  });

  test("a registration of another format is left alone and its queue woken", async (h) => {
    await h.listen();
    await h.goIdle(2);
    const registration = h.keys.handoffRegistration(W.worker);
    const redis = openConnection(h.url);
    try {
      const fields = (await redis.get(registration))!.split("\n");
      fields[18] = "h9." + fields[18]!.slice(3); // a later version's registration
      const foreign = fields.join("\n");
      await redis.set(registration, foreign);
      const woken = h.store.waitForWork(["q"], 5_000).then(() => true);
      await h.enqueueUnhanded(0);
      assert.equal(await woken, true);
      assert.equal(await redis.get(registration), foreign);
    } finally {
      await closeConnection(redis);
    }
  });

  test("a node serving more than 8 queues gets no feed (its reserves never register it)", async (h) => {
    const listeners = { onJobs: () => {}, onError: () => {} };
    const nine = Array.from({ length: 9 }, (_, i) => `q${i}`);
    assert.equal(h.store.handoffs(W.worker, nine, listeners), null);
    const feed = h.store.handoffs(W.worker, [...nine.slice(0, 8), "q0"], listeners);
    assert.notEqual(feed, null, "eight distinct queues, one named twice");
    await feed!.close();
  });

  test("slots kept for the upper lanes take only critical and high jobs", async (h) => {
    await h.listen();
    await h.goIdle(2, { lowerLaneLimit: 0 });
    await h.enqueueUnhanded(0);
    const critical = newJob({ lane: "critical" });
    await h.store.enqueue([critical]);
    await h.until(() => h.handed.length === 1, "the critical job was handed");
    assert.equal(h.handed[0]!.id, critical.id);
  });

  test("a paused queue's jobs are not handed", async (h) => {
    await h.listen();
    await h.goIdle(2);
    await h.store.pause("q");
    await h.enqueueUnhanded(0);
  });

  test("after the feed closes, jobs wait in their lane for a reserve", async (h) => {
    await h.listen();
    await h.goIdle(2);
    await h.feed!.close();
    await h.until(async () => await h.subscribers() === 0, "the channel was unsubscribed");
    const job = newJob();
    await h.store.enqueue([job]);
    assert.equal(await h.settled(), 0);
    const leased = await h.store.reserve({ ...W, count: 1 });
    assert.deepEqual(leased.map((j) => j.id), [job.id]);
  });

  test("a node that stopped listening is not handed jobs, and its registration goes", async (h) => {
    await h.goIdle(2); // registered, but nobody listens on its channel (a process that ended)
    const registration = h.keys.handoffRegistration(W.worker);
    const redis = openConnection(h.url);
    try {
      assert.notEqual(await redis.get(registration), null);
      const job = newJob();
      await h.store.enqueue([job]);
      assert.equal((await h.store.getJob(job.id))?.state, "waiting");
      assert.equal(await redis.get(registration), null);
    } finally {
      await closeConnection(redis);
    }
  });

  test("a reserve that fills the node drops its registration", async (h) => {
    await h.listen();
    await h.goIdle(2);
    await h.store.enqueue([newJob(), newJob()]);
    await h.until(() => h.handed.length === 2, "two jobs were handed");
    await h.store.enqueue([newJob()]);
    const [next] = await h.store.reserve({ ...W, count: 1, onIdle: () => {}, handoffMs: 30_000 });
    assert.ok(next, "the waiting job was leased");
    await h.enqueueUnhanded(2);
  });

  Deno.test({
    name: "handoff: an idle worker node runs jobs enqueued one at a time without reserving each",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const h = new Harness(url);
      let reserves = 0;
      const reserve = h.store.reserve.bind(h.store);
      h.store.reserve = (request) => {
        reserves++;
        return reserve(request);
      };
      const Echo = define({ name: "echo", payload: z.object({ n: z.number() }) }, ({ n }) => n);
      const engine = createEngine({ store: h.store, logger: silentLogger, functions: [Echo] });
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
        const before = reserves;
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
          reserves - before <= jobs / 2,
          `${jobs} jobs enqueued one at a time took ${reserves - before} reserves`,
        );
      } finally {
        await worker.stop();
        await engine.close();
        await h.close();
      }
    },
  });

  Deno.test({
    name: "handoff: a node handed more started jobs than it has free slots runs what fits and " +
      "hands back the rest",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const h = new Harness(url);
      let deliver: ((jobs: Reservation[]) => void) | null = null;
      const handoffs = h.store.handoffs.bind(h.store);
      h.store.handoffs = (worker, queues, listeners) => {
        deliver = listeners.onJobs;
        return handoffs(worker, queues, listeners);
      };
      let running = 0;
      let most = 0;
      const gate = Promise.withResolvers<void>();
      const Block = define({ name: "block", payload: z.object({}) }, async () => {
        most = Math.max(most, ++running);
        await gate.promise;
        running--;
      });
      const engine = createEngine({ store: h.store, logger: silentLogger, functions: [Block] });
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
        const leased = await h.store.reserve({
          ...W,
          worker: worker.id,
          queues: ["elsewhere"],
          count: 3,
        });
        assert.equal(leased.length, 3);
        await h.until(() => deliver !== null, "the node opened its feed");
        deliver!(leased);
        await h.until(() => running === 2, "two jobs run");
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
        assert.equal(most, 2);
      } finally {
        gate.resolve();
        await worker.stop();
        await engine.close();
        await h.close();
      }
    },
  });

  Deno.test({
    name: "handoff: a node handed jobs while its reserve was in flight reserves again at once",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const h = new Harness(url);
      let deliver: ((jobs: Reservation[]) => void) | null = null;
      const handoffs = h.store.handoffs.bind(h.store);
      h.store.handoffs = (worker, queues, listeners) => {
        deliver = listeners.onJobs;
        return handoffs(worker, queues, listeners);
      };
      let reserves = 0;
      let inject: Reservation[] = [];
      const reserve = h.store.reserve.bind(h.store);
      h.store.reserve = (request) => {
        reserves++;
        // a handoff made just before this reserve, whose message comes before its reply
        if (inject.length > 0) deliver!(inject.splice(0));
        return reserve(request);
      };
      const gate = Promise.withResolvers<void>();
      const Block = define({ name: "block", payload: z.object({}) }, () => gate.promise);
      const engine = createEngine({ store: h.store, logger: silentLogger, functions: [Block] });
      const worker = engine.work({ queues: ["q"], concurrency: 2, idlePollMs: 60_000 });
      try {
        await worker.ready;
        await h.until(() => reserves > 0 && deliver !== null, "the node reserved and listens");
        await new Promise((r) => setTimeout(r, 100)); // the node waits, idle and registered
        const id = await engine.enqueue(Block, {}, { queue: "elsewhere" });
        inject = await h.store.reserve({
          ...W,
          worker: worker.id,
          queues: ["elsewhere"],
          count: 1,
        });
        assert.deepEqual(inject.map((j) => j.id), [id]);
        const before = reserves;
        await engine.resume("q", { create: true }); // wakes the idle node: it reserves
        await h.until(() => reserves >= before + 2, "the node reserved again after the handoff");
      } finally {
        gate.resolve();
        await worker.stop();
        await engine.close();
        await h.close();
      }
    },
  });
});
