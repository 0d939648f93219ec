/**
 * `sluice worker --metrics-port N`: the node's own HTTP endpoint for container orchestrators and
 * scrapers. `GET /metrics` is this process's Prometheus metrics (its node's slots, busy slots,
 * utilization, jobs done and heartbeat age, then CPU, memory and event loop); `GET /healthz` is
 * liveness: 200 while the node runs and its latest heartbeat was stored within the node's TTL
 * (the age at which the cluster would count it dead), else 503. No auth: it serves numbers and a
 * status, nothing a job carries; `--metrics-hostname` picks the address (default 0.0.0.0, so a
 * probe from outside the container reaches it).
 *
 * @module
 */
import { collectDefaultMetrics, Registry } from "prom-client";
import { writeNodeMetrics } from "../gateway/node_metrics.ts";
import { listenUrl } from "../gateway/serve.ts";
import { PrometheusText } from "../gateway/prometheus_text.ts";
import type { NodeStatus } from "../worker/node_presence.ts";
import type { Flag } from "./flags.ts";

/** The options of the probe endpoint. */
export const PROBE_FLAGS: readonly Flag[] = [
  {
    name: "metrics-port",
    value: "N",
    help: "serve this node's /metrics and /healthz (liveness) on port N",
    env: "SLUICE_METRICS_PORT",
  },
  {
    name: "metrics-hostname",
    value: "HOST",
    help: "address of the /metrics and /healthz endpoint",
    default: "0.0.0.0",
  },
];

/** The answer of `/healthz`. */
export interface Health {
  /** 200 (alive) or 503. */
  status: 200 | 503;
  /** The body. */
  body: {
    status: "ok" | "unhealthy";
    node: string;
    reason?: string;
    heartbeatAgeMs: number | null;
  };
}

/** Liveness of a node of `status` at `now` (epoch ms). */
export function healthOf(status: NodeStatus, now: number): Health {
  const age = status.heartbeatAt === null ? null : Math.max(0, now - status.heartbeatAt);
  const reason = !status.running
    ? "the node is stopping"
    : age === null
    ? "no heartbeat stored yet"
    : age > status.ttlMs
    ? `the latest heartbeat is ${age} ms old, more than the node's ${status.ttlMs} ms TTL`
    : undefined;
  const body = { node: status.id, heartbeatAgeMs: age };
  return reason
    ? { status: 503, body: { status: "unhealthy", ...body, reason } }
    : { status: 200, body: { status: "ok", ...body } };
}

/** A served probe endpoint. */
export interface Probe {
  /** Its URL. */
  url: string;
  /** Stops it. */
  stop(): Promise<void>;
}

/** Serves `node`'s probe endpoint on `port` at `hostname`; resolves once it listens. */
export async function serveProbe(
  node: () => NodeStatus,
  port: number,
  hostname: string,
): Promise<Probe> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "sluice_" });
  const listening = Promise.withResolvers<string>();
  const server = Deno.serve({
    port,
    hostname,
    onListen: (addr) => listening.resolve(listenUrl(addr.hostname, addr.port)),
  }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "GET") return new Response("method not allowed\n", { status: 405 });
    if (path === "/healthz") {
      const health = healthOf(node(), Date.now());
      return Response.json(health.body, { status: health.status });
    }
    if (path === "/metrics") {
      const status = node();
      const out = new PrometheusText();
      writeNodeMetrics(out, "sluice_", [{ ...status, expiresAt: expiry(status) }], Date.now());
      return new Response(out.text() + await registry.metrics(), {
        headers: { "content-type": registry.contentType },
      });
    }
    return new Response("not found: /metrics and /healthz only\n", { status: 404 });
  });
  return { url: await listening.promise, stop: () => server.shutdown() };
}

function expiry(status: NodeStatus): number {
  return status.heartbeatAt === null ? 0 : status.heartbeatAt + status.ttlMs;
}
