/**
 * A chaos cluster: its own Redis (`redis.ts`), real `sluice worker` processes sharing a sink
 * directory, and a producer engine that enqueues with caller-chosen ids (so a retried enqueue is
 * idempotent) and records every acknowledged job with the time of its acknowledgement.
 *
 * @module
 */
import { createEngine, type Engine } from "../../mod.ts";
import { RedisStore } from "../../store.ts";
import type { BulkItem } from "../../src/engine/options.ts";
import { silentLogger } from "../../src/job/logger.ts";
import { openConnection, type RedisClient } from "../../src/store/redis/connection.ts";
import { FINAL_STATES, type JobState } from "../../src/job/states.ts";
import { NodeProcess } from "../../tests/_node_process.ts";
import { ChaosDoomed, ChaosPoison, ChaosWork } from "./functions/chaos_jobs.ts";
import { ChaosRedis } from "./redis.ts";
import { SINK_ENV } from "./sink.ts";

/** Function directories a worker may load. */
export const FUNCTION_DIRS = {
  jobs: new URL("./functions/", import.meta.url).pathname,
  cron: new URL("./cron/", import.meta.url).pathname,
} as const;

/** The namespace the suite uses on its own Redis. */
const NAMESPACE = "chaos";

/** Fast timings, so dead nodes are reaped and leaders replaced within seconds. */
const FAST = [
  "--heartbeat-ms=300",
  "--node-ttl-ms=1500",
  "--leader-ttl-ms=1500",
  "--leader-renew-ms=300",
];

/** How the workers of a cluster run. */
export interface WorkerSpec {
  /** Which functions they load (default the chaos jobs). */
  functions?: keyof typeof FUNCTION_DIRS;
  /** Queue (default `chaos`). */
  queue?: string;
  /** Further `sluice worker` flags. */
  args: string[];
}

/** A worker process and whether the suite itself took it down. */
interface Member {
  node: NodeProcess;
  killedOnPurpose: boolean;
}

/** See the module doc. */
export class ChaosCluster {
  /** The cluster's Redis. */
  readonly redis: ChaosRedis;
  /** The producer's store. */
  readonly store: RedisStore;
  /** The producer engine. */
  readonly engine: Engine;
  /** Where the workers record their runs. */
  readonly sinkDir: string;
  /** Acknowledged jobs: id to the time of the acknowledgement (epoch ms). */
  readonly acked = new Map<string, number>();
  /** The queue the workers serve. */
  readonly queue: string;
  #spec: WorkerSpec;
  #connection: RedisClient;
  #members: Member[] = [];
  #next = 0;

  private constructor(redis: ChaosRedis, sinkDir: string, spec: WorkerSpec) {
    this.redis = redis;
    this.sinkDir = sinkDir;
    this.#spec = spec;
    this.queue = spec.queue ?? "chaos";
    // a connection of its own, logging nothing: the outages are the point here
    this.#connection = openConnection(redis.url, { logger: silentLogger });
    this.store = new RedisStore({ redis: this.#connection, namespace: NAMESPACE });
    this.engine = createEngine({
      store: this.store,
      logger: silentLogger,
      functions: [ChaosWork, ChaosDoomed, ChaosPoison],
    });
  }

  /** Starts Redis and `workers` worker processes; resolves once they all run. */
  static async open(workers: number, spec: WorkerSpec): Promise<ChaosCluster> {
    const redis = await ChaosRedis.start();
    const sink = await Deno.makeTempDir({ prefix: "sluice-chaos-sink-" });
    const cluster = new ChaosCluster(redis, sink, spec);
    const nodes = Array.from({ length: workers }, () => cluster.spawn());
    await Promise.all(nodes.map((n) => n.waitFor((e) => e.event === "node-started", 60_000)));
    return cluster;
  }

  /** The worker processes alive (not taken down by the suite). */
  get workers(): NodeProcess[] {
    return this.#members.filter((m) => !m.killedOnPurpose).map((m) => m.node);
  }

  /** Starts one more worker process. */
  spawn(): NodeProcess {
    const node = new NodeProcess(
      [
        "--functions",
        FUNCTION_DIRS[this.#spec.functions ?? "jobs"],
        "--namespace",
        NAMESPACE,
        "--queues",
        this.queue,
        ...FAST,
        ...this.#spec.args,
      ],
      { REDIS_URL: this.redis.url, [SINK_ENV]: this.sinkDir, NO_COLOR: "1" },
    );
    this.#members.push({ node, killedOnPurpose: false });
    return node;
  }

  /** A worker chosen at random (a different one each call, round the cluster, when `roundRobin`). */
  pick(random = true): NodeProcess {
    const alive = this.workers;
    return alive[random ? Math.floor(Math.random() * alive.length) : this.#next++ % alive.length]!;
  }

  /** SIGKILLs `node` (marked as taken down on purpose) and waits until it is gone. */
  async kill(node: NodeProcess): Promise<void> {
    const member = this.#members.find((m) => m.node === node)!;
    member.killedOnPurpose = true;
    node.kill("SIGKILL");
    await node.exited;
  }

  /** Worker processes that exited without the suite taking them down: crashes. */
  async crashes(): Promise<string[]> {
    const crashed: string[] = [];
    for (const { node, killedOnPurpose } of this.#members) {
      if (killedOnPurpose) continue;
      const done = await Promise.race([node.exited, Promise.resolve(null)]);
      if (done) crashed.push(`worker ${node.pid} exited ${done.code}: ${node.stderr.slice(-500)}`);
    }
    return crashed;
  }

  /**
   * Enqueues `items` in bulks of `batch`, each with its caller-chosen id, retrying a bulk that
   * failed (Redis down, full, connection dropped) until it is acknowledged or `giveUpAt` passed.
   * Records each acknowledged id. Returns how many were acknowledged.
   */
  async enqueue(items: BulkItem[], batch = 200, giveUpAt = Infinity): Promise<number> {
    let acked = 0;
    for (let i = 0; i < items.length; i += batch) {
      const bulk = items.slice(i, i + batch);
      for (let delay = 50;; delay = Math.min(delay * 2, 1_000)) {
        try {
          const ids = await this.engine.enqueueBulk(bulk);
          const now = Date.now();
          for (const id of ids) this.acked.set(id, now);
          acked += ids.length;
          break;
        } catch (error) {
          if (Date.now() > giveUpAt) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    }
    return acked;
  }

  /** Jobs of the queue per state that are not final (waiting, active, blocked, ...). */
  async unsettled(queue = this.queue): Promise<Partial<Record<JobState, number>>> {
    const { states } = await this.store.counts(queue);
    const open: Partial<Record<JobState, number>> = {};
    for (const [state, n] of Object.entries(states) as [JobState, number][]) {
      if (n > 0 && !FINAL_STATES.includes(state)) open[state] = n;
    }
    return open;
  }

  /** Waits until no job of the queue is open (or `timeoutMs` passed); true when settled. */
  async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if (Object.keys(await this.unsettled()).length === 0) return true;
      } catch {
        // Redis is coming back: look again
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  /** Stops everything and removes the sink. */
  async close(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.node.close()));
    await this.engine.close().catch(() => {});
    await this.store.close().catch(() => {});
    this.#connection.disconnect();
    await this.redis.stop();
    await Deno.remove(this.sinkDir, { recursive: true }).catch(() => {});
  }
}
