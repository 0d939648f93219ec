/**
 * Replay safety of the Redis scripts: ioredis resends a command whose reply was lost in a
 * reconnect, and a command that timed out may still have run. Every verb here runs its script
 * twice with the same arguments (the first reply thrown away, as a lost one) and must leave the
 * store as one run would, with a reply the caller can act on.
 */
import assert from "node:assert/strict";
import type { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { ManualClock } from "../src/job/clock.ts";
import { Status } from "../src/job/status.ts";
import { newJob, NODE, W } from "../src/store/_conformance.ts";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import { withRedis } from "./_redis_env.ts";

/** A Redis client that, while `twice` is on, sends every script call twice. */
function replayingClient(url: string): { redis: Redis; twice: { on: boolean } } {
  const real = new Redis(url, { enableAutoPipelining: false });
  const twice = { on: false };
  const redis = new Proxy(real, {
    get(target, key, receiver) {
      if (key === "callBuffer") {
        return async (command: string, args: (string | number | Buffer)[]) => {
          if (twice.on && command === "EVALSHA") await target.callBuffer(command, args);
          return await target.callBuffer(command, args);
        };
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { redis, twice };
}

await withRedis("Redis script replays", (url) => {
  const test = (name: string, fn: (t: Harness) => Promise<void>) =>
    Deno.test({
      name: `replay: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const harness = new Harness(url);
        try {
          await fn(harness);
        } finally {
          await harness.close();
        }
      },
    });

  test("reserve delivered twice returns the same leases and leases nothing more", async (t) => {
    await t.store.enqueue(Array.from({ length: 6 }, () => newJob()));
    const got = await t.twice(() => t.store.reserve({ ...W, count: 2, prefetch: 2 }));
    assert.deepEqual(got.map((r) => r.started), [true, true, false, false]);
    const counts = await t.store.counts("q");
    assert.deepEqual([counts.states.active, counts.states.waiting], [4, 2]);
    assert.deepEqual(got.map((r) => r.attempt), [1, 1, 1, 1]);
    for (const r of got.slice(0, 2)) assert.equal((await t.store.getJob(r.id))!.attempts, 1);
    assert.deepEqual(await t.store.start(got.slice(2)), [Status.OK, Status.OK]);
    const done = await t.store.complete(
      got.map((r) => ({ id: r.id, token: r.token, result: null })),
    );
    assert.deepEqual(done, [Status.OK, Status.OK, Status.OK, Status.OK]);
    assert.equal((await t.store.counts("q")).states.completed, 4);
  });

  test("steal delivered twice takes the victim's jobs once", async (t) => {
    await t.store.registerNode({ ...NODE, id: "victim" }, 60_000);
    await t.store.enqueue(Array.from({ length: 4 }, () => newJob()));
    await t.store.reserve({ ...W, worker: "victim", count: 0, prefetch: 4 });
    const stolen = await t.twice(() =>
      t.store.steal({ worker: "thief", queues: ["q"], count: 4, leaseMs: 30_000 })
    );
    assert.equal(stolen.length, 2);
    for (const r of stolen) assert.equal((await t.store.getJob(r.id))!.worker, "thief");
    assert.equal((await t.store.listNodes())[0]!.prefetched, 2);
    assert.deepEqual(
      await t.store.complete(stolen.map((r) => ({ id: r.id, token: r.token, result: null }))),
      [Status.OK, Status.OK],
    );
  });

  test("acquireLeadership delivered twice still leads", async (t) => {
    const lease = await t.twice(() => t.store.acquireLeadership("n1", 10_000));
    assert.ok(lease, "the replay lost the leadership it had just won");
    assert.equal((await t.store.getLeader())!.epoch, lease.epoch);
    assert.ok(await t.store.renewLeadership(lease, 10_000));
    assert.equal(await t.store.acquireLeadership("n2", 10_000), null);
  });

  test("enqueue, cancel and changePriority delivered twice act once", async (t) => {
    const [job, other] = [newJob(), newJob()];
    const [out] = await t.twice(() => t.store.enqueue([job]));
    assert.deepEqual([out!.id, out!.state], [job.id, "waiting"]);
    await t.store.enqueue([other]);
    assert.deepEqual(await t.twice(() => t.store.changePriority(job.id, "high")), {
      status: Status.OK,
      state: "waiting",
    });
    assert.deepEqual(await t.twice(() => t.store.cancel(other.id)), {
      status: Status.OK,
      state: "cancelled",
    });
    const counts = await t.store.counts("q");
    assert.deepEqual([counts.lanes.high.waiting, counts.states.waiting], [1, 1]);
    assert.equal(counts.states.cancelled, 1);
  });

  test("outcomes delivered twice are recorded once", async (t) => {
    const jobs = Array.from({ length: 4 }, () => newJob());
    await t.store.enqueue(jobs);
    const [a, b, c, d] = await t.store.reserve({ ...W, count: 4 });
    const proof = (r: typeof a) => ({ id: r!.id, token: r!.token });
    assert.deepEqual(await t.twice(() => t.store.extendLeases([proof(a)], 60_000)), [Status.OK]);
    assert.deepEqual(await t.twice(() => t.store.complete([{ ...proof(a), result: null }])), [
      Status.OK,
    ]);
    const failed = await t.twice(() =>
      t.store.fail([{ ...proof(b), error: '{"name":"E","message":"x"}', retryDelay: 0 }])
    );
    assert.deepEqual(failed, [{ status: Status.OK, state: "waiting" }]);
    assert.deepEqual(await t.twice(() => t.store.release([proof(c)])), [Status.OK]);
    await t.store.cancel(d!.id);
    const dead = await t.twice(() =>
      t.store.fail([{ ...proof(d), error: '{"name":"E","message":"x"}', retryDelay: null }])
    );
    assert.deepEqual(dead, [{ status: Status.OK, state: "cancelled" }]);
    const counts = await t.store.counts("q");
    assert.deepEqual(
      [counts.states.completed, counts.states.waiting, counts.states.cancelled],
      [1, 2, 1],
    );
    const bJob = (await t.store.getJob(b!.id))!;
    assert.deepEqual([bJob.attempts, bJob.history.length], [1, 1]);
    const cJob = (await t.store.getJob(c!.id))!;
    assert.deepEqual([cJob.attempts, cJob.releases], [0, 1]);
  });

  test("reclaim, reap, promote and dead-letter verbs delivered twice act once", async (t) => {
    await t.store.enqueue([newJob(), newJob({ maxAttempts: 1 })]);
    await t.store.registerNode({ ...NODE, id: "dying" }, 1_000);
    const held = await t.store.reserve({ ...W, worker: "dying", count: 2, leaseMs: 60_000 });
    const leader = await t.store.acquireLeadership("alive", 120_000);
    t.clock.advance(1_000);
    const reaped = await t.twice(() => t.store.reapDeadNodes(leader!));
    assert.equal(reaped.status, Status.OK);
    let job = (await t.store.getJob(held[0]!.id))!;
    assert.deepEqual([job.state, job.stalls], ["waiting", 1]);
    const [again] = await t.store.reserve({ ...W, count: 1, leaseMs: 10 });
    t.clock.advance(10);
    await t.twice(() => t.store.reclaimExpired());
    job = (await t.store.getJob(again!.id))!;
    assert.deepEqual([job.state, job.stalls], ["waiting", 2]);
    await t.store.enqueue([newJob({ delay: 100 })]);
    t.clock.advance(100);
    await t.twice(() => t.store.promoteDue(["q"]));
    assert.equal((await t.store.counts("q")).states.waiting, 2);
    const dead = held[1]!.id;
    assert.equal((await t.store.getJob(dead))!.state, "dead");
    await t.twice(() => t.store.requeueDead({ queue: "q", ids: [dead] }));
    assert.equal((await t.store.counts("q")).states.waiting, 3);
  });
});

/** A store on a fresh namespace whose script calls can be delivered twice. */
class Harness {
  readonly clock = new ManualClock();
  readonly store: RedisStore;
  #url: string;
  #namespace = `replay-${crypto.randomUUID()}`;
  #client: ReturnType<typeof replayingClient>;

  constructor(url: string) {
    this.#url = url;
    this.#client = replayingClient(url);
    this.store = new RedisStore({
      redis: this.#client.redis,
      namespace: this.#namespace,
      clock: this.clock,
    });
  }

  /** Runs `fn` with every script call sent twice; returns what the second delivery answered. */
  async twice<T>(fn: () => Promise<T>): Promise<T> {
    this.#client.twice.on = true;
    try {
      return await fn();
    } finally {
      this.#client.twice.on = false;
    }
  }

  async close(): Promise<void> {
    await this.store.close();
    await dropNamespace(this.#url, this.#namespace);
    this.#client.redis.disconnect();
  }
}
