/**
 * An idle worker node waits without polling Redis hard: over a few seconds, it sends no more
 * than a handful of commands per second (one fetch round every two seconds, heartbeats, the leader
 * lease and the reaper).
 * Runs against a private redis-server so other clients do not count.
 */
import assert from "node:assert/strict";
import { NodeProcess } from "./_node_process.ts";
import { PrivateRedis } from "./_redis_server.ts";

const FUNCTIONS = new URL("./fixtures/node_functions/", import.meta.url).pathname;

Deno.test({
  name: "an idle node sends only a few Redis commands per second",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const node = new NodeProcess(["--functions", FUNCTIONS, "--queues", "naps"], {
      REDIS_URL: redis.url,
    });
    try {
      await node.waitFor((e) => e.event === "node-started");
      await node.waitFor((e) => e.event === "leader-elected");
      const seconds = 5;
      const commands = await redis.clientCommands(seconds * 1_000);
      const sent = [...commands.values()].reduce((a, b) => a + b, 0);
      assert.ok(sent > 0, "the monitor saw nothing: the count cannot be trusted");
      assert.ok(
        sent / seconds <= 6,
        `an idle node sent ${sent} commands in ${seconds} s: ${JSON.stringify([...commands])}`,
      );
    } finally {
      await node.close();
      await redis.stop();
    }
  },
});
