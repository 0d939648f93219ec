/**
 * Rate and concurrency limits across real worker processes on one Redis: a rate limit holds
 * over every node while another function runs freely; a concurrency limit holds and a killed
 * node gives its slots back; `ctx.rateLimit` pauses its function on every node; and a node whose
 * only work is limited sleeps instead of polling.
 */
import assert from "node:assert/strict";
import { createEngine, type Engine } from "../mod.ts";
import { RedisStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import { Free, Limited, Polite, Report, Trickle } from "./fixtures/limit_functions/limited.ts";
import { eventually, NodeProcess } from "./_node_process.ts";
import { withRedis } from "./_redis_env.ts";
import { PrivateRedis } from "./_redis_server.ts";

const FUNCTIONS = new URL("./fixtures/limit_functions/", import.meta.url).pathname;
const FAST = [
  "--heartbeat-ms=300",
  "--node-ttl-ms=1500",
  "--leader-ttl-ms=1500",
  "--leader-renew-ms=300",
];

/** One logged run: its function, job, start and end (end: null while unfinished). */
interface Run {
  fn: string;
  id: string;
  start: number;
  end: number | null;
  pid: number;
}

class Cluster {
  readonly namespace = `limits-${crypto.randomUUID()}`;
  readonly runLog = Deno.makeTempDirSync({ prefix: "sluice-limits-" });
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
      functions: [Limited, Free, Report, Polite, Trickle],
    });
  }

  /** A worker process on queue "lim", with fast failover timings unless `timings` is false. */
  node(args: string[] = [], timings = true): NodeProcess {
    const node = new NodeProcess(
      [
        "--functions",
        FUNCTIONS,
        "--namespace",
        this.namespace,
        "--queues",
        "lim",
        ...(timings ? FAST : []),
        ...args,
      ],
      { REDIS_URL: this.#url, SLUICE_TEST_RUN_LOG: this.runLog },
    );
    this.#nodes.push(node);
    return node;
  }

  async nodes(n: number, ...args: string[]): Promise<NodeProcess[]> {
    const nodes = Array.from({ length: n }, () => this.node(args));
    await Promise.all(nodes.map((p) => p.waitFor((e) => e.event === "node-started")));
    return nodes;
  }

  /** Every run logged so far, by any process. */
  runs(): Run[] {
    const out: Run[] = [];
    for (const entry of Deno.readDirSync(this.runLog)) {
      if (!entry.name.endsWith(".log")) continue;
      const pid = Number(entry.name.split(".")[0]);
      const open = new Map<string, Run>();
      for (const line of Deno.readTextFileSync(`${this.runLog}/${entry.name}`).split("\n")) {
        const [kind, fn, id, at] = line.split(" ");
        if (kind === "start") {
          const run = { fn: fn!, id: id!, start: Number(at), end: null, pid };
          open.set(id!, run);
          out.push(run);
        } else if (kind === "end") {
          open.get(id!)!.end = Number(at);
        }
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** When runs asked to slow down (`ctx.rateLimit`), by any process. */
  throttles(): number[] {
    const out: number[] = [];
    for (const entry of Deno.readDirSync(this.runLog)) {
      if (!entry.name.endsWith(".log")) continue;
      for (const line of Deno.readTextFileSync(`${this.runLog}/${entry.name}`).split("\n")) {
        if (line.startsWith("throttled ")) out.push(Number(line.split(" ")[3]));
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.#nodes.map((n) => n.close()));
    await this.engine.close();
    await this.store.close();
    await dropNamespace(this.#url, this.namespace);
    Deno.removeSync(this.runLog, { recursive: true });
  }
}

/** Most starts in any window of `ms` (sliding over every start). */
function busiestWindow(starts: number[], ms: number): number {
  let best = 0;
  let from = 0;
  for (let i = 0; i < starts.length; i++) {
    while (starts[i]! - starts[from]! >= ms) from++;
    best = Math.max(best, i - from + 1);
  }
  return best;
}

/** Most runs overlapping at once; unfinished runs of `killed` processes end at `killedAt`. */
function mostAtOnce(runs: Run[], killed: Set<number>, killedAt: number): number {
  const edges: [number, number][] = [];
  for (const r of runs) {
    const end = r.end ?? (killed.has(r.pid) ? killedAt : Infinity);
    edges.push([r.start, 1], [end, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an end before a start at the same ms
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, now += d);
  return most;
}

await withRedis("limits across worker processes", (url) => {
  Deno.test({
    name: "a rate limit of 50/s holds across three nodes at >= 90% of it; others run freely",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const c = new Cluster(url);
      try {
        await c.nodes(3, "--concurrency=8");
        const seconds = 10;
        const limited = Array.from({ length: 50 * seconds + 100 }, () => ({
          job: Limited,
          payload: { ms: 5 },
        }));
        const free = Array.from({ length: 1_000 }, () => ({ job: Free, payload: { ms: 1 } }));
        const t0 = Date.now();
        const ids = await c.engine.enqueueBulk([...limited, ...free]);
        await new Promise((r) => setTimeout(r, seconds * 1_000));
        // the store's startedAt (its clock, the one the limit counts on) of the limited jobs
        const records = await c.store.getJobs(ids.slice(0, limited.length));
        const first = Math.min(...records.flatMap((j) => j?.startedAt ?? []));
        const limitedStarts = records.flatMap((j) => j?.startedAt ?? [])
          .filter((at) => at < first + seconds * 1_000)
          .sort((a, b) => a - b);
        const busiest = busiestWindow(limitedStarts, 1_000);
        assert.ok(busiest <= 50, `a 1 s window held ${busiest} starts of "limited"`);
        assert.ok(
          limitedStarts.length >= 0.9 * 50 * seconds,
          `only ${limitedStarts.length} starts of "limited" in ${seconds} s (limit: ${
            50 * seconds
          })`,
        );
        const freeRuns = c.runs().filter((r) => r.fn === "free");
        const freeDone = Math.max(...freeRuns.map((r) => r.end ?? Infinity)) - t0;
        assert.equal(freeRuns.length, 1_000);
        assert.ok(freeDone < seconds * 1_000 / 2, `"free" took ${freeDone} ms beside "limited"`);
      } finally {
        await c.close();
      }
    },
  });

  Deno.test({
    name: "concurrencyLimit 5 holds across three nodes; a killed node gives its slots back",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const c = new Cluster(url);
      try {
        const nodes = await c.nodes(3, "--concurrency=4");
        const ids = await c.engine.enqueueBulk(
          Array.from({ length: 100 }, () => ({ job: Report, payload: { ms: 50 } })),
        );
        // kill a node while it runs some of them: one that has started two or more and has one
        // running (whichever node it is: an idle node handed the jobs, or the first to reserve,
        // may take every slot the limit gives while the others wait)
        const victim = await eventually(
          () =>
            Promise.resolve(nodes.find((node) => {
              const runs = c.runs().filter((r) => r.pid === node.pid);
              return runs.length >= 2 && runs.some((r) => r.end === null);
            })),
          (node) => node !== undefined,
        ).then((node) => node!);
        victim.kill("SIGKILL");
        await victim.exited;
        const killedAt = Date.now();
        const jobs = await eventually(
          () => c.store.getJobs(ids),
          (js) => js.every((j) => j?.state === "completed"),
          60_000,
        );
        assert.equal(jobs.length, 100);
        const runs = c.runs().filter((r) => r.fn === "report");
        const most = mostAtOnce(runs, new Set([victim.pid]), killedAt);
        assert.ok(most <= 5, `${most} runs of "report" overlapped`);
        assert.ok(most >= 4, `the limit was not used: at most ${most} ran at once`);
        const counts = await c.store.counts("lim");
        assert.equal(counts.states.active, 0);
      } finally {
        await c.close();
      }
    },
  });

  Deno.test({
    name: "ctx.rateLimit(2000): no attempt spent, no start of that function for 2 s on any node",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const c = new Cluster(url);
      try {
        await c.nodes(3);
        const [first] = await c.engine.enqueueBulk([{ job: Polite, payload: { slowDown: true } }]);
        const [throttledAt] = await eventually(
          () => Promise.resolve(c.throttles()),
          (t) => t.length === 1,
        );
        // the handler logs before its node hands the job back: wait until the store holds it
        await eventually(
          () => c.store.getJobs([first!]),
          ([job]) => job?.history[0]?.outcome === "released",
        );
        const others = await c.engine.enqueueBulk(
          Array.from({ length: 6 }, () => ({ job: Polite, payload: {} })),
        );
        const done = await eventually(
          () => c.store.getJobs([first!, ...others]),
          (js) => js.every((j) => j?.state === "completed"),
          20_000,
        );
        const starts = c.runs().filter((r) => r.fn === "polite").map((r) => r.start);
        assert.equal(starts.length, 7);
        const earliest = Math.min(...starts);
        assert.ok(earliest - throttledAt! >= 1_900, `a start ${earliest - throttledAt!} ms after`);
        const again = done[0]!;
        assert.deepEqual([again.attempts, again.history[0]?.outcome], [1, "released"]);
      } finally {
        await c.close();
      }
    },
  });
});

Deno.test({
  name: "a node whose only work waits on a limit sleeps: few Redis commands a second",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const c = new Cluster(redis.url);
    try {
      const node = c.node([], false); // default timings, as idle_node_test.ts measures
      await node.waitFor((e) => e.event === "leader-elected");
      await c.engine.enqueueBulk(Array.from({ length: 20 }, () => ({ job: Trickle, payload: {} })));
      await eventually(() => Promise.resolve(c.runs().length), (n) => n === 1);
      await new Promise((r) => setTimeout(r, 500));
      const seconds = 5;
      const commands = await redis.clientCommands(seconds * 1_000);
      const sent = [...commands.values()].reduce((a, b) => a + b, 0);
      assert.ok(sent > 0, "the monitor saw nothing: the count cannot be trusted");
      assert.ok(
        sent / seconds <= 6,
        `a node held by a limit sent ${sent} commands in ${seconds} s: ${
          JSON.stringify([...commands])
        }`,
      );
      assert.equal(c.runs().length, 1);
      assert.equal((await c.store.counts("lim")).throttled, 19);
    } finally {
      await c.close();
      await redis.stop();
    }
  },
});
