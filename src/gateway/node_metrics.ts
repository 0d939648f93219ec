/**
 * Worker nodes as Prometheus metrics: slots, busy slots, utilization, prefetched jobs, jobs done,
 * heartbeat age, liveness and leadership per node. The gateway writes them for every node of
 * the cluster (from the node records); `sluice worker --metrics-port` for its own node.
 *
 * @module
 */
import type { NodeRecord } from "../store/cluster.ts";
import type { PrometheusText } from "./prometheus_text.ts";

/** What the node metrics need of a node. */
export type NodeView =
  & Pick<
    NodeRecord,
    "id" | "busy" | "concurrency" | "prefetched" | "completed" | "failed" | "expiresAt"
  >
  & {
    /** Its latest heartbeat (epoch ms), or null before the first. */
    heartbeatAt: number | null;
    /** True while it holds the leader lease. */
    leader: boolean;
  };

type Gauge = [name: string, help: string, value: (n: NodeView, now: number) => number];

const GAUGES: readonly Gauge[] = [
  ["node_busy", "Busy job slots of the node at its latest heartbeat", (n) => n.busy],
  ["node_slots", "Job slots of the node (its concurrency)", (n) => n.concurrency],
  [
    "node_utilization",
    "Busy slots over slots at the node's latest heartbeat (0 to 1)",
    (n) => n.concurrency > 0 ? n.busy / n.concurrency : 0,
  ],
  ["node_prefetched", "Jobs the node holds leased but not started", (n) => n.prefetched],
  [
    "node_heartbeat_age_seconds",
    "Seconds since the node's latest heartbeat was stored (+Inf before the first)",
    (n, now) => n.heartbeatAt === null ? Infinity : Math.max(0, (now - n.heartbeatAt) / 1000),
  ],
  [
    "node_alive",
    "1 until the node's record expires (0: counted dead, its jobs run elsewhere)",
    (n, now) => n.expiresAt > now ? 1 : 0,
  ],
  ["node_is_leader", "1 for the node holding the leader lease, else 0", (n) => n.leader ? 1 : 0],
];

/** Writes the node families of `nodes` (sorted by id) into `out`, as of `now` (epoch ms). */
export function writeNodeMetrics(
  out: PrometheusText,
  prefix: string,
  nodes: readonly NodeView[],
  now: number,
): void {
  const sorted = [...nodes].sort((a, b) => a.id.localeCompare(b.id));
  for (const [name, help, value] of GAUGES) {
    out.family(prefix + name, "gauge", help);
    for (const n of sorted) out.sample(prefix + name, { node: n.id }, value(n, now));
  }
  const jobs = `${prefix}node_jobs_total`;
  out.family(jobs, "counter", "Attempts the node completed or failed since it started");
  for (const n of sorted) {
    out.sample(jobs, { node: n.id, outcome: "completed" }, n.completed);
    out.sample(jobs, { node: n.id, outcome: "failed" }, n.failed);
  }
}
