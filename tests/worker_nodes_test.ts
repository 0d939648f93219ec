/**
 * Worker nodes as real subprocesses against Redis: crash recovery, work stealing, graceful
 * shutdown and leader election.
 */
import assert from "node:assert/strict";
import { createEngine, type Engine } from "../mod.ts";
import { RedisStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import { Keys } from "../src/store/redis/keys.ts";
import { Redis } from "ioredis";
import { Forever, Nap, Spin } from "./fixtures/node_functions/naps.ts";
import { eventually, NodeProcess } from "./_node_process.ts";
import { withRedis } from "./_redis_env.ts";

const FUNCTIONS = new URL("./fixtures/node_functions/", import.meta.url).pathname;
/** Fast timings so failover happens in seconds. */
const FAST = [
  "--heartbeat-ms=300",
  "--node-ttl-ms=1500",
  "--leader-ttl-ms=1500",
  "--leader-renew-ms=300",
];

class Cluster {
  readonly namespace = `nodes-${crypto.randomUUID()}`;
  readonly runLog = Deno.makeTempDirSync({ prefix: "sluice-runs-" });
  readonly store: RedisStore;
  readonly engine: Engine;
  #url: string;
  #nodes: NodeProcess[] = [];

  constructor(url: string) {
    this.#url = url;
    this.store = new RedisStore({ url, namespace: this.namespace });
    this.engine = createEngine({
      store: this.store,
      logger: silentLogger,
      functions: [Nap, Spin, Forever],
    });
  }

  node(...args: string[]): NodeProcess {
    const node = new NodeProcess(
      [
        "--functions",
        FUNCTIONS,
        "--namespace",
        this.namespace,
        "--queues",
        "naps",
        ...FAST,
        ...args,
      ],
      { REDIS_URL: this.#url, SLUICE_TEST_RUN_LOG: this.runLog },
    );
    this.#nodes.push(node);
    return node;
  }

  /** How many times each job ran, from the run log. */
  runs(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of Deno.readDirSync(this.runLog)) {
      const id = entry.name.split(".")[0]!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  async close(): Promise<void> {
    await Promise.all(this.#nodes.map((n) => n.close()));
    await this.engine.close();
    await this.store.close();
    await dropNamespace(this.#url, this.namespace);
    Deno.removeSync(this.runLog, { recursive: true });
  }
}

const started = (e: { event: string }) => e.event === "node-started";

await withRedis("worker nodes (subprocesses)", (url) => {
  const test = (name: string, fn: (cluster: Cluster) => Promise<void>) =>
    Deno.test({
      name: `worker nodes: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const cluster = new Cluster(url);
        try {
          await fn(cluster);
        } finally {
          await cluster.close();
        }
      },
    });

  test("kill -9 with 20 active jobs: all run again elsewhere before their leases expire", async (c) => {
    const a = c.node("--concurrency=20", "--reserved-slots=0", "--lease-ms=60000", "--prefetch=0");
    await a.waitFor(started);
    const ids = await c.engine.enqueueBulk(
      Array.from({ length: 20 }, () => ({ job: Nap, payload: { ms: 60_000, laterMs: 10 } })),
    );
    await eventually(() => c.engine.counts("naps"), (n) => n.states.active === 20);
    const leases = await Promise.all(ids.map((id) => c.store.getJob(id)));
    a.kill("SIGKILL");
    await a.exited;
    const b = c.node("--concurrency=20", "--reserved-slots=0", "--lease-ms=60000");
    await b.waitFor(started);
    await eventually(() => c.engine.counts("naps"), (n) => n.states.completed === 20);
    for (const [i, id] of ids.entries()) {
      const job = (await c.store.getJob(id))!;
      assert.equal(job.attempts, 2, `job ${id} attempts`);
      assert.equal(job.stalls, 1, `job ${id} stalls`);
      assert.equal(job.worker, b.nodeId);
      // brought back by reaping the dead node, not by waiting for the lease to run out
      assert.ok(job.finishedAt! < leases[i]!.leaseDeadline!, `job ${id} waited for its lease`);
    }
    assert.ok(
      (await c.store.listNodes()).every((n) => n.id !== a.nodeId),
      "dead node still listed",
    );
  });

  test("a job spinning the CPU in an isolate for 3 lease lengths keeps its lease", async (c) => {
    const a = c.node("--isolates=3", "--concurrency=3", "--lease-ms=1000", "--prefetch=0");
    await a.waitFor(started);
    const spin = await c.engine.enqueue(Spin, { ms: 3_500 });
    await eventually(() => c.store.getJob(spin), (j) => j?.state === "active");
    const naps = await c.engine.enqueueBulk(
      Array.from({ length: 10 }, () => ({ job: Nap, payload: { ms: 20 } })),
    );
    await eventually(() => c.store.getJob(spin), (j) => j?.state === "completed", 20_000);
    const done = (await c.store.getJob(spin))!;
    assert.equal(done.attempts, 1);
    assert.equal(done.stalls, 0, "the spinning job lost its lease");
    for (const id of naps) {
      const nap = (await c.store.getJob(id))!;
      assert.equal(nap.state, "completed");
      assert.ok(nap.finishedAt! <= done.finishedAt!, "other slots stalled behind the spin");
    }
  });

  test("a handler stuck in an endless loop in an isolate is stopped by its timeout", async (c) => {
    const a = c.node("--isolates=2", "--concurrency=2", "--prefetch=0");
    await a.waitFor(started);
    const stuck = await c.engine.enqueue(Forever, {});
    const naps = await c.engine.enqueueBulk(
      Array.from({ length: 6 }, () => ({ job: Nap, payload: { ms: 20 } })),
    );
    const dead = await eventually(() => c.store.getJob(stuck), (j) => j?.state === "dead", 20_000);
    assert.equal(JSON.parse(dead!.error!).name, "TimeoutError");
    assert.equal(dead!.attempts, 1);
    await eventually(() => c.engine.counts("naps"), (n) => n.states.completed === naps.length);
    // the node keeps going after its isolate was replaced
    const after = await c.engine.enqueue(Nap, { ms: 1 });
    await eventually(() => c.store.getJob(after), (j) => j?.state === "completed");
  });

  test("an idle node steals prefetched jobs; nothing runs twice", async (c) => {
    const a = c.node("--concurrency=1", "--prefetch=4", "--reserved-slots=0");
    await a.waitFor(started);
    const ids = await c.engine.enqueueBulk(
      Array.from({ length: 5 }, () => ({ job: Nap, payload: { ms: 1_500 } })),
    );
    await eventually(() => c.store.listNodes(), (nodes) => nodes.some((n) => n.prefetched === 4));
    const b = c.node("--concurrency=4", "--prefetch=0", "--reserved-slots=0");
    await b.waitFor(started);
    await eventually(() => c.engine.counts("naps"), (n) => n.states.completed === 5);
    const jobs = await Promise.all(ids.map((id) => c.store.getJob(id)));
    assert.ok(jobs.some((j) => j!.worker === b.nodeId), "the idle node stole nothing");
    assert.ok(jobs.every((j) => j!.attempts === 1), "a job started twice");
    assert.deepEqual([...c.runs().values()], ids.map(() => 1), "a job ran twice");
  });

  test("SIGTERM during 50 running jobs: finished ones complete, the rest go back", async (c) => {
    const a = c.node("--concurrency=50", "--reserved-slots=0", "--prefetch=0", "--drain-ms=1500");
    await a.waitFor(started);
    const ids = await c.engine.enqueueBulk(
      Array.from({ length: 50 }, (_, i) => ({ job: Nap, payload: { ms: i % 2 ? 60_000 : 800 } })),
    );
    const quick = ids.filter((_, i) => i % 2 === 0);
    const slow = ids.filter((_, i) => i % 2 === 1);
    await eventually(() => c.engine.counts("naps"), (n) => n.states.waiting === 0);
    a.kill("SIGTERM");
    const status = await a.exited;
    assert.equal(status.code, 0, a.stderr);
    for (const id of quick) {
      const job = (await c.store.getJob(id))!;
      assert.equal(job.state, "completed");
      assert.equal(job.attempts, 1);
    }
    for (const id of slow) {
      const job = (await c.store.getJob(id))!;
      assert.equal(job.state, "waiting", `slow job ${id}`);
      assert.equal(job.attempts, 0, "the handed-back attempt was spent");
      assert.equal(job.releases, 1);
    }
    assert.deepEqual(await c.store.listNodes(), [], "the node is still registered");
    assert.ok(a.events.some((e) => e.event === "node-stopped"));
  });

  test("SIGTERM with prefetched jobs: they go back unspent, at the front, and run once", async (c) => {
    const a = c.node("--concurrency=2", "--reserved-slots=0", "--prefetch=4", "--drain-ms=3000");
    await a.waitFor(started);
    const ids = await c.engine.enqueueBulk(
      Array.from({ length: 6 }, () => ({ job: Nap, payload: { ms: 1_500 } })),
    );
    // two run, four wait prefetched on the node
    await eventually(() => c.store.listNodes(), (nodes) => nodes[0]?.prefetched === 4);
    a.kill("SIGTERM");
    const status = await a.exited;
    assert.equal(status.code, 0, a.stderr);
    const jobs = await Promise.all(ids.map((id) => c.store.getJob(id)));
    const done = jobs.filter((j) => j!.state === "completed");
    const back = jobs.filter((j) => j!.state === "waiting");
    assert.equal(done.length, 2, "the running jobs did not finish in the drain time");
    assert.equal(back.length, 4);
    for (const job of back) {
      assert.deepEqual([job!.attempts, job!.releases, job!.history], [0, 0, []]);
    }
    const waiting = await c.engine.listJobs({ queue: "naps", state: "waiting" });
    assert.deepEqual(waiting.jobs.map((j) => j.id), back.map((j) => j!.id));
    // another node runs each of them once
    const b = c.node("--concurrency=4", "--reserved-slots=0");
    await b.waitFor(started);
    for (const job of back) {
      const ran = await eventually(() => c.store.getJob(job!.id), (j) => j?.state === "completed");
      assert.equal(ran!.attempts, 1);
    }
    assert.ok([...c.runs().values()].every((n) => n === 1), JSON.stringify([...c.runs()]));
  });

  test("leader killed: the other node leads with a higher epoch", async (c) => {
    const a = c.node();
    const b = c.node();
    await Promise.all([a.waitFor(started), b.waitFor(started)]);
    const first = await eventually(() => c.store.getLeader(), (l) => l !== null);
    const [leader, other] = first!.node === a.nodeId ? [a, b] : [b, a];
    assert.equal(first!.node, leader.nodeId);
    leader.kill("SIGKILL");
    const next = await eventually(() => c.store.getLeader(), (l) => l?.node === other.nodeId);
    assert.ok(next!.epoch > first!.epoch);
    await other.waitFor((e) => e.event === "leader-elected");
  });

  test("a leader paused past its lease steps down when resumed; two nodes on one host never both lead", async (c) => {
    const a = c.node();
    const b = c.node();
    await Promise.all([a.waitFor(started), b.waitFor(started)]);
    const first = await eventually(() => c.store.getLeader(), (l) => l !== null);
    const [leader, other] = first!.node === a.nodeId ? [a, b] : [b, a];
    await leader.waitFor((e) => e.event === "leader-elected");
    assert.ok(!other.events.some((e) => e.event === "leader-elected"), "both nodes lead");
    leader.kill("SIGSTOP");
    const next = await eventually(() => c.store.getLeader(), (l) => l?.node === other.nodeId);
    leader.kill("SIGCONT");
    await leader.waitFor((e) => e.event === "leader-deposed");
    const now = await c.store.getLeader();
    assert.equal(now!.node, other.nodeId, "the resumed node took the lead back");
    assert.equal(now!.epoch, next!.epoch, "the lease changed hands after the resume");
  });

  test("a lease overwritten by another token makes the old leader step down", async (c) => {
    const a = c.node();
    await a.waitFor(started);
    await a.waitFor((e) => e.event === "leader-elected");
    const redis = new Redis(url);
    try {
      await redis.hset(new Keys(c.namespace).leader(), "token", "an-intruder");
    } finally {
      redis.disconnect();
    }
    await a.waitFor((e) => e.event === "leader-deposed");
  });
});
