/**
 * Prometheus metrics of a gateway, in a registry of its own (so many gateways can live in one
 * process). Counters and histograms are fed by the engine's job events (`active`, `completed`,
 * `failed`, `cancelled`, `enqueued`), so they count what this process saw; gauges are read from
 * the store at scrape time (`engine.counts()`, `engine.nodes()`, `engine.leader()`), so they are
 * cluster-wide.
 *
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Engine } from "../engine.ts";
import type { JobEvents } from "../job/events.ts";

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600];

/** The outcome label of a failed attempt: retried (`failed`), `dead`, or counted as cancelled. */
function failedOutcome(event: JobEvents["failed"]): "failed" | "dead" | null {
  if (event.state === "cancelled") return null; // the `cancelled` event that follows counts it
  return event.state === "dead" ? "dead" : "failed";
}

/** The metrics of one gateway; `text()` renders them. */
export class GatewayMetrics {
  /** The registry (Prometheus text via `registry.metrics()`). */
  readonly registry: Registry = new Registry();
  #engine: Engine;
  #unsubscribe: (() => void)[];
  #jobs: Counter<"function" | "outcome">;
  #enqueued: Counter<"function" | "queue">;
  #duration: Histogram<"function" | "queue" | "outcome">;
  #wait: Histogram<"function" | "queue" | "lane">;
  #depth: Gauge<"queue" | "lane" | "state">;
  #paused: Gauge<"queue">;
  #dead: Gauge<"queue">;
  #utilization: Gauge<"node">;
  #busy: Gauge<"node">;
  #slots: Gauge<"node">;
  #isLeader: Gauge<"node">;
  #hasLeader: Gauge;

  /** Metrics named `<prefix>...` (default `sluice_`) of `engine`. */
  constructor(engine: Engine, prefix = "sluice_") {
    this.#engine = engine;
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name: prefix + name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name: prefix + name, help, labelNames, registers });
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
      buckets: number[],
    ) => new Histogram<L>({ name: prefix + name, help, labelNames, buckets, registers });
    this.#jobs = counter(
      "jobs_total",
      "Finished attempts seen by this process, by outcome (completed, failed = will retry, dead, cancelled); throughput is their rate",
      ["function", "outcome"],
    );
    this.#enqueued = counter("jobs_enqueued_total", "Jobs enqueued through this process", [
      "function",
      "queue",
    ]);
    this.#duration = histogram("job_duration_seconds", "Run time of an attempt", [
      "function",
      "queue",
      "outcome",
    ], DURATION_BUCKETS);
    this.#wait = histogram(
      "job_wait_seconds",
      "Time from a job being due (enqueue or run-at) to its attempt starting",
      ["function", "queue", "lane"],
      WAIT_BUCKETS,
    );
    this.#depth = gauge(
      "queue_depth",
      "Jobs per queue, lane and state (cluster-wide, from the store)",
      ["queue", "lane", "state"],
    );
    this.#paused = gauge("queue_paused", "1 when the queue is paused", ["queue"]);
    this.#dead = gauge("dead_letters", "Jobs in the dead-letter queue, per queue", ["queue"]);
    this.#utilization = gauge(
      "worker_utilization_ratio",
      "Busy slots over total slots, per node (latest heartbeat)",
      ["node"],
    );
    this.#busy = gauge("worker_busy_slots", "Busy job slots per node (latest heartbeat)", ["node"]);
    this.#slots = gauge("worker_slots", "Job slots per node", ["node"]);
    this.#isLeader = gauge("node_is_leader", "1 for the node holding the leader lease, else 0", [
      "node",
    ]);
    this.#hasLeader = new Gauge({
      name: prefix + "leader_present",
      help: "1 when some node holds a live leader lease",
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix });
    this.#unsubscribe = this.#subscribe();
  }

  #subscribe(): (() => void)[] {
    const engine = this.#engine;
    return [
      engine.on("enqueued", (e) => this.#enqueued.inc({ function: e.name, queue: e.queue })),
      engine.on("active", (e) => {
        this.#wait.observe({ function: e.name, queue: e.queue, lane: e.lane }, e.waitMs / 1000);
      }),
      engine.on("completed", (e) => {
        this.#jobs.inc({ function: e.name, outcome: "completed" });
        this.#duration.observe(
          { function: e.name, queue: e.queue, outcome: "completed" },
          e.durationMs / 1000,
        );
      }),
      engine.on("failed", (e) => {
        const outcome = failedOutcome(e);
        if (outcome) this.#jobs.inc({ function: e.name, outcome });
        this.#duration.observe(
          { function: e.name, queue: e.queue, outcome: "failed" },
          e.durationMs / 1000,
        );
      }),
      engine.on("cancelled", (e) => this.#jobs.inc({ function: e.name, outcome: "cancelled" })),
    ];
  }

  /** Reads the gauges from the store, then renders every metric as Prometheus text. */
  async text(): Promise<string> {
    const [counts, nodes, leader] = await Promise.all([
      this.#engine.counts(),
      this.#engine.nodes(),
      this.#engine.leader(),
    ]);
    for (
      const gauge of [
        this.#depth,
        this.#paused,
        this.#dead,
        this.#utilization,
        this.#busy,
        this.#slots,
        this.#isLeader,
      ]
    ) {
      gauge.reset();
    }
    for (const [queue, c] of Object.entries(counts)) {
      this.#paused.set({ queue }, c.paused ? 1 : 0);
      this.#dead.set({ queue }, c.states.dead);
      for (const [lane, states] of Object.entries(c.lanes)) {
        for (const [state, n] of Object.entries(states)) this.#depth.set({ queue, lane, state }, n);
      }
    }
    for (const node of nodes) {
      this.#busy.set({ node: node.id }, node.busy);
      this.#slots.set({ node: node.id }, node.concurrency);
      this.#utilization.set(
        { node: node.id },
        node.concurrency > 0 ? node.busy / node.concurrency : 0,
      );
      this.#isLeader.set({ node: node.id }, leader?.node === node.id ? 1 : 0);
    }
    this.#hasLeader.set(leader ? 1 : 0);
    return await this.registry.metrics();
  }

  /** The content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to the engine's events. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }
}
