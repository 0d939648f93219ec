/**
 * The cluster's metrics as Prometheus text, whichever process serves them: job counts and run
 * and wait histograms per (queue, lane, function) from the store's totals (written by the store
 * calls that finish jobs on every node), depth per queue, lane and state, and per node its
 * slots, busy slots, utilization, jobs done and heartbeat age from the node records. One scrape
 * reads the store once (four reads issued together); scrapes within `maxAgeMs` share a reading.
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import { BUCKET_EDGES_MS, type MetricGroup } from "../store/observations.ts";
import type { LeaderInfo, NodeRecord } from "../store/cluster.ts";
import type { QueueCounts } from "../store/store.ts";
import { writeNodeMetrics } from "./node_metrics.ts";
import { PrometheusText } from "./prometheus_text.ts";

/** What one scrape reads from the store. */
export interface ClusterReading {
  /** Metric totals per (queue, lane, function). */
  totals: MetricGroup[];
  /** Depth per queue. */
  counts: Record<string, QueueCounts>;
  /** Node records. */
  nodes: NodeRecord[];
  /** The leader, or null. */
  leader: LeaderInfo | null;
  /** When it was read (epoch ms, this process's clock). */
  at: number;
}

/** Reads the cluster for scrapes, sharing one reading among scrapes within `maxAgeMs`. */
export class ClusterReader {
  #engine: Engine;
  #maxAgeMs: number;
  #last: { started: number; reading: Promise<ClusterReading> } | null = null;

  /** Reads `engine`'s store; a reading serves scrapes for `maxAgeMs` (default 1,000). */
  constructor(engine: Engine, maxAgeMs = 1_000) {
    this.#engine = engine;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The current reading (a fresh one when the last is older than `maxAgeMs`). */
  read(): Promise<ClusterReading> {
    const now = performance.now();
    if (this.#last && now - this.#last.started < this.#maxAgeMs) return this.#last.reading;
    const reading = Promise.all([
      this.#engine.metrics({ minutes: 0 }),
      this.#engine.counts(),
      this.#engine.nodes(),
      this.#engine.leader(),
    ]).then(([metrics, counts, nodes, leader]) => ({
      totals: metrics.total,
      counts,
      nodes,
      leader,
      at: Date.now(),
    }));
    this.#last = { started: now, reading };
    reading.catch(() => this.#last = null); // a failed read is not shared
    return reading;
  }
}

const BOUNDS_SECONDS = BUCKET_EDGES_MS.map((ms) => ms / 1000);
const OUTCOMES = ["completed", "failed", "dead", "cancelled"] as const;

function jobMetrics(out: PrometheusText, p: string, totals: MetricGroup[]): void {
  const labels = (g: MetricGroup) => ({ queue: g.queue, lane: g.lane, function: g.name });
  out.family(
    `${p}jobs_total`,
    "counter",
    "Jobs finished in the cluster by outcome: completed, failed (attempt failed, retried), " +
      "dead, cancelled; throughput is their rate",
  );
  for (const g of totals) {
    for (const outcome of OUTCOMES) {
      out.sample(`${p}jobs_total`, { ...labels(g), outcome }, g[outcome]);
    }
  }
  out.family(`${p}jobs_requeued_total`, "counter", "Dead jobs requeued from the dead-letter queue");
  for (const g of totals) out.sample(`${p}jobs_requeued_total`, labels(g), g.requeued);
  out.family(
    `${p}jobs_throttled_total`,
    "counter",
    "Times a job was set aside because a rate or concurrency limit (or a pause) held it",
  );
  for (const g of totals) out.sample(`${p}jobs_throttled_total`, labels(g), g.throttled);
  const histograms = [
    ["job_duration_seconds", "Run time of ended attempts, cluster-wide", "run"],
    [
      "job_wait_seconds",
      "Time from due (enqueue or run-at) to the start of ended attempts",
      "wait",
    ],
  ] as const;
  for (const [name, help, key] of histograms) {
    out.family(`${p}${name}`, "histogram", help);
    for (const g of totals) {
      out.histogram(`${p}${name}`, labels(g), {
        bounds: BOUNDS_SECONDS,
        counts: g[key].buckets,
        sum: g[key].sumMs / 1000,
      });
    }
  }
}

function depthMetrics(out: PrometheusText, p: string, counts: ClusterReading["counts"]): void {
  const queues = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  out.family(`${p}queue_depth`, "gauge", "Jobs per queue, lane and state");
  for (const [queue, c] of queues) {
    for (const [lane, states] of Object.entries(c.lanes)) {
      for (const [state, n] of Object.entries(states)) {
        out.sample(`${p}queue_depth`, { queue, lane, state }, n);
      }
    }
  }
  out.family(`${p}queue_paused`, "gauge", "1 when the queue is paused");
  for (const [queue, c] of queues) out.sample(`${p}queue_paused`, { queue }, c.paused ? 1 : 0);
  out.family(`${p}dead_letters`, "gauge", "Jobs in the dead-letter queue, per queue");
  for (const [queue, c] of queues) out.sample(`${p}dead_letters`, { queue }, c.states.dead);
}

/** The cluster metrics of `reading` as Prometheus text, names starting with `prefix`. */
export function clusterMetricsText(reading: ClusterReading, prefix: string): string {
  const out = new PrometheusText();
  jobMetrics(out, prefix, reading.totals);
  depthMetrics(out, prefix, reading.counts);
  const nodes = reading.nodes.map((n) => ({ ...n, leader: reading.leader?.node === n.id }));
  writeNodeMetrics(out, prefix, nodes, reading.at);
  out.family(`${prefix}leader_present`, "gauge", "1 when some node holds a live leader lease");
  out.sample(`${prefix}leader_present`, {}, reading.leader ? 1 : 0);
  return out.text();
}
