/**
 * Handoffs on Redis (`Store.handoffs`, `lua/_handoff.lua`): a reserve that leaves a node idle
 * registers it, and a later enqueue leases the new job straight to it, delivered on its feed, as
 * a reserve would have leased it (lanes kept for the upper lanes, pauses, its free slots), to a
 * node still listening only; anything it cannot take stays in its lane and wakes the queue. The
 * worker node's side: `redis_handoff_worker_test.ts`.
 */
import assert from "node:assert/strict";
import { Status } from "../src/job/status.ts";
import { newJob, W } from "../src/store/_conformance.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { Harness } from "./_handoff_harness.ts";
import { withRedis } from "./_redis_env.ts";

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
});
