/**
 * `sluice worker --metrics-port`: the node's own `/metrics` and `/healthz`. Liveness follows
 * the heartbeat: 200 while heartbeats are stored, 503 once the latest is older than the node's
 * TTL (its Redis gone), 200 again when Redis is back; `/metrics` shows the node's slots and the
 * process's own metrics. Runs against a private redis-server, which the test stops and restarts.
 */
import assert from "node:assert/strict";
import { healthOf } from "../src/cli/worker_probe.ts";
import type { NodeStatus } from "../mod.ts";
import { eventually, NodeProcess } from "./_node_process.ts";
import { PrivateRedis } from "./_redis_server.ts";
import { parsePrometheus, valueOf } from "./_prometheus.ts";

const FUNCTIONS = new URL("./fixtures/node_functions/", import.meta.url).pathname;

Deno.test("probe: liveness is the node running with a heartbeat younger than its TTL", () => {
  const status: NodeStatus = {
    id: "n1",
    running: true,
    concurrency: 4,
    busy: 1,
    prefetched: 0,
    completed: 3,
    failed: 0,
    leader: false,
    heartbeatAt: 10_000,
    ttlMs: 1_500,
  };
  assert.equal(healthOf(status, 11_500).status, 200);
  assert.deepEqual(healthOf(status, 11_500).body, {
    status: "ok",
    node: "n1",
    heartbeatAgeMs: 1_500,
  });
  const stale = healthOf(status, 11_501);
  assert.equal(stale.status, 503);
  assert.match(stale.body.reason!, /1501 ms old, more than the node's 1500 ms TTL/);
  assert.equal(healthOf({ ...status, heartbeatAt: null }, 0).status, 503);
  assert.equal(healthOf({ ...status, running: false }, 10_000).status, 503);
});

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

Deno.test({
  name: "probe: a worker's /healthz goes 503 while its Redis is gone, 200 when it is back",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const node = new NodeProcess([
      "--functions",
      FUNCTIONS,
      "--queues",
      "naps",
      "--concurrency=3",
      "--heartbeat-ms=200",
      "--node-ttl-ms=1000",
      "--metrics-port=0",
      "--metrics-hostname=127.0.0.1",
    ], { REDIS_URL: redis.url });
    try {
      const listening = await node.waitFor((e) => e.event === "metrics-listening");
      const base = String(listening.url);
      await node.waitFor((e) => e.event === "node-started");
      const healthz = `${base}healthz`;
      const ok = await eventually(() => get(healthz), (r) => r.status === 200);
      assert.equal(JSON.parse(ok.text).node, node.nodeId);

      const metrics = parsePrometheus((await get(`${base}metrics`)).text);
      assert.equal(valueOf(metrics, "sluice_node_slots", { node: node.nodeId! }), 3);
      assert.equal(valueOf(metrics, "sluice_node_busy", { node: node.nodeId! }), 0);
      assert.ok((valueOf(metrics, "sluice_process_start_time_seconds") ?? 0) > 0);
      assert.equal((await get(`${base}nope`)).status, 404);

      await redis.stop();
      const down = await eventually(() => get(healthz), (r) => r.status === 503, 10_000);
      assert.match(JSON.parse(down.text).reason, /TTL/);
      await redis.restart();
      await eventually(() => get(healthz), (r) => r.status === 200, 15_000);
    } finally {
      await node.close();
      await redis.stop();
    }
  },
});
