/**
 * What the store's verbs cost in Redis: reaping a dead node touches that node's jobs, not every
 * active job; reclaiming expired leases touches the expired ones, not every queue or lease; a
 * dependency chain is walked once; the lease indexes stay in the set and zset encodings whose
 * inserts do not scan; a waiting job's hash leaves out what it implies; metrics write whole sums
 * with HINCRBY and give a minute hash its expiry once. Counted from INFO commandstats (commands
 * run inside scripts included) or read from OBJECT ENCODING of a private redis-server, so the
 * figures are exact, not timed.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../src/job/clock.ts";
import { newJob, NODE, W } from "../src/store/_conformance.ts";
import type { Reservation } from "../src/job/job.ts";
import { Status } from "../src/job/status.ts";
import { RedisStore } from "../src/store/redis/redis_store.ts";
import type { Redis } from "ioredis";
import { PrivateRedis, testOnPrivateRedis } from "./_redis_server.ts";

/** Job-level commands (reads and writes of job hashes and indexes) run by `fn`. */
async function jobCommands(redis: PrivateRedis, fn: () => Promise<unknown>): Promise<number> {
  const before = await redis.commandCalls();
  await fn();
  const after = await redis.commandCalls();
  let n = 0;
  for (
    const cmd of [
      "hget",
      "hmget",
      "hlen",
      "hset",
      "hgetall",
      "zscore",
      "zrangebyscore",
      "zrange",
      "smembers",
    ]
  ) {
    n += (after.get(cmd) ?? 0) - (before.get(cmd) ?? 0);
  }
  return n;
}

/** What a test on a private server of its own gets: the server, its clock, a store, a raw client. */
interface PrivateStore {
  redis: PrivateRedis;
  clock: ManualClock;
  store: RedisStore;
  raw: Redis;
}

/** A test on a private redis-server with a store of `namespace`, all closed after `fn`. */
function onPrivateStore(
  name: string,
  namespace: string,
  fn: (t: PrivateStore) => Promise<void>,
): void {
  testOnPrivateRedis(name, async (redis, raw) => {
    const clock = new ManualClock();
    const store = new RedisStore({ url: redis.url, clock, namespace });
    try {
      await fn({ redis, clock, store, raw });
    } finally {
      await store.close();
    }
  });
}

Deno.test({
  name: "reaping a dead node and reclaiming expired leases cost O(their jobs), not O(all jobs)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const clock = new ManualClock();
    const store = new RedisStore({ url: redis.url, clock });
    try {
      // 40 queues with 500 leased jobs between them, held by a live node
      for (let q = 0; q < 40; q++) {
        await store.enqueue(Array.from({ length: 13 }, () => newJob({ queue: `q${q}` })));
      }
      const queues = Array.from({ length: 40 }, (_, q) => `q${q}`);
      await store.registerNode({ ...NODE, id: "busy" }, 600_000);
      const live = await store.reserve({ ...W, worker: "busy", queues, count: 500 });
      assert.equal(live.length, 500);
      // a dead node holds 2 more, with short leases
      await store.enqueue([newJob({ queue: "q0" }), newJob({ queue: "q0" })]);
      await store.registerNode({ ...NODE, id: "dying" }, 1_000);
      const dying = await store.reserve({
        ...W,
        worker: "dying",
        queues: ["q0"],
        count: 2,
        leaseMs: 5_000,
      });
      assert.equal(dying.length, 2);
      const leader = await store.acquireLeadership("busy", 600_000);
      clock.advance(1_000);
      const reap = await jobCommands(redis, async () => {
        const { outcome } = await store.reapDeadNodes(leader!);
        assert.deepEqual(outcome.nodes, ["dying"]);
        assert.equal(outcome.requeued.length, 2);
      });
      assert.ok(reap <= 20, `reaping 2 jobs ran ${reap} job commands`);
      // the same 2 jobs leased again with short leases, then expired
      const again = await store.reserve({
        ...W,
        worker: "slow",
        queues: ["q0"],
        count: 2,
        leaseMs: 5_000,
      });
      assert.equal(again.length, 2);
      clock.advance(5_000);
      const reclaim = await jobCommands(redis, async () => {
        assert.equal((await store.reclaimExpired()).requeued.length, 2);
      });
      assert.ok(reclaim <= 20, `reclaiming 2 jobs ran ${reclaim} job commands`);
    } finally {
      await store.close();
      await redis.stop();
    }
  },
});

Deno.test({
  name: "a chain of 1,000 jobs in one call costs O(jobs) in Redis: priority walks stop early",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const store = new RedisStore({ url: redis.url, clock: new ManualClock() });
    try {
      const chain = Array.from({ length: 1_000 }, () => newJob({ queue: "chain" }));
      chain.forEach((job, i) => {
        if (i > 0) job.dependsOn = [chain[i - 1]!.id];
      });
      const spent = await jobCommands(redis, () => store.enqueue(chain));
      // each job walks its ancestors once: about 5 job commands; a walk of the whole chain per
      // job (the quadratic path) is about 500
      assert.ok(spent <= 20 * chain.length, `a chain of 1,000 ran ${spent} job commands`);
      const counts = await store.counts("chain");
      assert.equal(counts.states.blocked, 999);
      assert.equal(counts.states.waiting, 1);
    } finally {
      await store.close();
      await redis.stop();
    }
  },
});

onPrivateStore(
  "the lease indexes stay a skiplist and a hash table (no listpack scan per lease), and their pin is no job",
  "pin",
  async ({ clock, store, raw }) => {
    await store.enqueue(Array.from({ length: 3 }, () => newJob({ queue: "q" })));
    const leased = await store.reserve({ ...W, worker: "w1", queues: ["q"], count: 3 });
    assert.equal(leased.length, 3);
    assert.equal(await raw.object("ENCODING", "{sluice:pin}:leases"), "skiplist");
    assert.equal(await raw.object("ENCODING", "{sluice:pin}:hs:w1"), "hashtable");
    const active = await store.listJobs({ queue: "q", state: "active" });
    assert.deepEqual(active.jobs.map((j) => j.id).sort(), leased.map((j) => j.id).sort());
    await store.complete([{ id: leased[0]!.id, token: leased[0]!.token, result: null }]);
    // the expired leases are reclaimed, the pin is not (it is never due)
    clock.advance(W.leaseMs + 1);
    const reclaimed = await store.reclaimExpired();
    assert.deepEqual(reclaimed.requeued.sort(), leased.slice(1).map((j) => j.id).sort());
    assert.equal((await store.listJobs({ queue: "q", state: "active" })).jobs.length, 0);
  },
);

onPrivateStore(
  "a node's held zset from an older build is still reaped, and deregistering clears both",
  "legacy",
  async ({ clock, store, raw }) => {
    const jobs = Array.from({ length: 3 }, () => newJob({ queue: "q" }));
    await store.enqueue(jobs);
    await store.registerNode({ ...NODE, id: "old" }, 1_000);
    const leased = await store.reserve({ ...W, worker: "old", queues: ["q"], count: 3 });
    assert.equal(leased.length, 3);
    // what a build before the held set wrote: a zset of the node's job ids, scores 0
    await raw.del("{sluice:legacy}:hs:old");
    await raw.zadd("{sluice:legacy}:held:old", 0, leased[0]!.id, 0, leased[1]!.id);
    await raw.sadd("{sluice:legacy}:hs:old", leased[2]!.id);
    clock.advance(1_000);
    const leader = await store.acquireLeadership("l", 60_000);
    const { outcome } = await store.reapDeadNodes(leader!);
    assert.deepEqual(outcome.nodes, ["old"]);
    assert.deepEqual([...outcome.requeued].sort(), jobs.map((j) => j.id).sort());
    assert.equal(await raw.exists("{sluice:legacy}:held:old", "{sluice:legacy}:hs:old"), 0);

    await store.registerNode({ ...NODE, id: "leaving" }, 60_000);
    await store.reserve({ ...W, worker: "leaving", queues: ["q"], count: 1 });
    await raw.zadd("{sluice:legacy}:held:leaving", 0, "x");
    assert.equal(await raw.exists("{sluice:legacy}:hs:leaving"), 1);
    await store.deregisterNode("leaving");
    assert.equal(
      await raw.exists("{sluice:legacy}:held:leaving", "{sluice:legacy}:hs:leaving"),
      0,
    );
  },
);

onPrivateStore(
  "reaping skips what a build of the other kind took from a dead node (a steal, a completion)",
  "mixed",
  async ({ clock, store, raw }) => {
    const jobs = Array.from({ length: 4 }, () => newJob({ queue: "q" }));
    await store.enqueue(jobs);
    await store.registerNode({ ...NODE, id: "old" }, 1_000);
    await store.registerNode({ ...NODE, id: "thief" }, 60_000);
    const held = await store.reserve({
      ...W,
      worker: "old",
      queues: ["q"],
      count: 1,
      prefetch: 3,
    });
    assert.equal(held.length, 4);
    // "old" runs an older build: its jobs are indexed in a held zset, which this build's steal
    // and complete do not take them out of
    await raw.del("{sluice:mixed}:hs:old");
    await raw.zadd("{sluice:mixed}:held:old", ...held.flatMap((r) => [0, r.id]));
    const stolen = await store.steal({ ...W, worker: "thief", queues: ["q"], count: 2 });
    assert.equal(stolen.length, 2);
    const done = stolen[0]!;
    assert.deepEqual(await store.complete([{ id: done.id, token: done.token, result: null }]), [
      Status.OK,
    ]);
    clock.advance(1_000);
    const leader = await store.acquireLeadership("l", 60_000);
    const { outcome } = await store.reapDeadNodes(leader!);
    const stolenIds = new Set(stolen.map((r) => r.id));
    const kept = held.filter((r) => !stolenIds.has(r.id)).map((r) => r.id);
    assert.deepEqual([...outcome.requeued].sort(), kept.sort());
    assert.equal((await store.getJob(done.id))!.state, "completed");
    const other = (await store.getJob(stolen[1]!.id))!;
    assert.deepEqual([other.state, other.worker], ["active", "thief"]);
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.active, counts.states.waiting], [1, 2]);
  },
);

onPrivateStore(
  "reserve and complete read a job's optional fields only when its hash has any, and see them",
  "gate",
  async ({ redis, store }) => {
    const hmgets = async (fn: () => Promise<unknown>) => {
      const before = (await redis.commandCalls()).get("hmget") ?? 0;
      await fn();
      return ((await redis.commandCalls()).get("hmget") ?? 0) - before;
    };
    const lease = async (queue: string) =>
      (await store.reserve({ ...W, worker: "w1", queues: [queue], count: 1 }))[0]!;
    const backoff = '{"type":"fixed","delay":5}';
    await store.enqueue([
      newJob({ queue: "lean" }),
      newJob({ queue: "rich", maxAttempts: 5, backoff }),
    ]);
    let lean!: Reservation, rich!: Reservation;
    const leanReads = await hmgets(async () => lean = await lease("lean"));
    const richReads = await hmgets(async () => rich = await lease("rich"));
    assert.equal(richReads, leanReads + 1); // the optional fields, read as a second HMGET
    assert.deepEqual([lean.maxAttempts, lean.backoff], [3, null]);
    assert.deepEqual([rich.maxAttempts, rich.backoff], [5, backoff]);

    // a field written after enqueue (releases) is seen too
    assert.deepEqual(await store.release([{ id: lean.id, token: lean.token }]), [Status.OK]);
    const again = await lease("lean");
    assert.deepEqual([again.id, again.releases], [lean.id, 1]);

    const done = (r: Reservation) => store.complete([{ id: r.id, token: r.token, result: null }]);
    const richDone = await hmgets(() => done(rich));
    const leanJob = newJob({ queue: "lean" });
    await store.enqueue([leanJob]);
    const fresh = await lease("lean");
    assert.equal(fresh.id, leanJob.id);
    assert.equal(await hmgets(() => done(fresh)), richDone - 1);
    assert.equal((await store.getJob(rich.id))!.state, "completed");
    assert.equal((await store.getJob(leanJob.id))!.state, "completed");
  },
);

onPrivateStore(
  "a waiting job's hash stores maxAttempts only when it is not the implied 3",
  "lean",
  async ({ store, raw }) => {
    const usual = newJob({ maxAttempts: 3 });
    const more = newJob({ maxAttempts: 5 });
    await store.enqueue([usual, more]);
    assert.equal(await raw.hget(`{sluice:lean}:j:${usual.id}`, "m"), null);
    assert.equal(await raw.hget(`{sluice:lean}:j:${more.id}`, "m"), "5");
    const [a, b] = await store.getJobs([usual.id, more.id]);
    assert.deepEqual([a!.maxAttempts, b!.maxAttempts], [3, 5]);
    const leased = await store.reserve({ ...W, count: 2 });
    assert.deepEqual(leased.map((j) => j.maxAttempts).sort(), [3, 5]);
  },
);

onPrivateStore(
  "a reserve past its lower-lane limit opens only the queues with upper-lane jobs waiting",
  "many",
  async ({ redis, store }) => {
    const queues = Array.from({ length: 200 }, (_, q) => `t${q}`);
    await store.enqueue(queues.map((queue) => newJob({ queue })));
    await store.enqueue([newJob({ queue: "t199", lane: "critical" })]);
    const before = await redis.commandCalls();
    const leased = await store.reserve({
      ...W,
      queues,
      count: 10,
      lowerLaneLimit: 5,
    });
    const after = await redis.commandCalls();
    // five from the normal lanes, then the critical job of the last queue all the same
    assert.equal(leased.length, 6);
    assert.equal(leased.filter((j) => j.lane === "normal").length, 5);
    assert.ok(leased.some((j) => j.lane === "critical" && j.queue === "t199"));
    // opening a queue reads its five lanes; the 194 queues between were asked one EXISTS each
    const lranges = (after.get("lrange") ?? 0) - (before.get("lrange") ?? 0);
    assert.ok(lranges <= 50, `${lranges} LRANGE for 6 jobs from 200 queues`);
  },
);

onPrivateStore(
  "metrics: whole sums take HINCRBY, and a minute hash gets its expiry once, when it is made",
  "metrics",
  async ({ redis, clock, store, raw }) => {
    const completeOne = async (runMs: number) => {
      await store.enqueue([newJob()]);
      const [r] = await store.reserve({ ...W, count: 1 });
      clock.advance(runMs);
      await store.complete([{ id: r!.id, token: r!.token, result: null }]);
    };
    clock.set((Math.floor(clock.now() / 60_000) + 1) * 60_000); // five jobs in one minute
    const before = await redis.commandCalls();
    for (let i = 0; i < 5; i++) await completeOne(3);
    const after = await redis.commandCalls();
    const calls = (cmd: string) => (after.get(cmd) ?? 0) - (before.get(cmd) ?? 0);
    assert.deepEqual([calls("hincrbyfloat"), calls("expire")], [0, 1]);
    const minuteKey = `{sluice:metrics}:m:${Math.floor(clock.now() / 60_000)}`;
    const ttl = await raw.ttl(minuteKey);
    assert.ok(ttl > 89_000 && ttl <= 90_000, `TTL ${ttl}`);
    // a fractional run time makes the run sum fractional: it takes HINCRBYFLOAT from then on
    await completeOne(0.5);
    await completeOne(2);
    const { total } = await store.metrics({ minutes: 1 });
    assert.deepEqual([total[0]!.completed, total[0]!.run.sumMs], [7, 17.5]);
    assert.ok(((await redis.commandCalls()).get("hincrbyfloat") ?? 0) > 0);
  },
);
