/**
 * Reconnects are tested, not assumed: a worker node keeps working across a Redis restart (its
 * connections reconnect, scripts are loaded again on NOSCRIPT, wake-up subscriptions come back,
 * and the node registers again). Runs against a private redis-server that the test restarts.
 */
import assert from "node:assert/strict";
import { createEngine, silentLogger } from "../mod.ts";
import { RedisStore } from "../store.ts";
import { Nap } from "./fixtures/node_functions/naps.ts";
import { eventually, NodeProcess } from "./_node_process.ts";
import { PrivateRedis } from "./_redis_server.ts";

const FUNCTIONS = new URL("./fixtures/node_functions/", import.meta.url).pathname;

Deno.test({
  name: "a worker node keeps working across a Redis restart",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const store = new RedisStore({ url: redis.url });
    const engine = createEngine({ store, logger: silentLogger, functions: [Nap] });
    const node = new NodeProcess(
      ["--functions", FUNCTIONS, "--queues", "naps", "--heartbeat-ms=300", "--node-ttl-ms=1500"],
      { REDIS_URL: redis.url },
    );
    try {
      await node.waitFor((e) => e.event === "node-started");
      const before = await engine.enqueue(Nap, { ms: 1 });
      await eventually(() => store.getJob(before), (j) => j?.state === "completed");
      await redis.restart(); // an empty server: no scripts, no keys, no subscriptions
      const after = await eventually(
        () => engine.enqueue(Nap, { ms: 1 }).catch(() => null),
        (id) => id !== null,
      );
      const job = await eventually(() => store.getJob(after!), (j) => j?.state === "completed");
      assert.equal(job!.attempts, 1);
      const nodes = await eventually(() => store.listNodes(), (list) => list.length === 1);
      assert.equal(nodes[0]!.id, node.nodeId, "the node did not register again");
    } finally {
      await node.close();
      await engine.close();
      await store.close();
      await redis.stop();
    }
  },
});
