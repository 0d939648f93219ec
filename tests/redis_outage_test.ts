/**
 * An unreachable Redis (issue 13, item 2), at the store: the first connection is bounded and
 * fails with one clear line; after that, a lost Redis makes calls fail fast with
 * `StoreUnavailableError` while the connection reconnects in the background, logging one line
 * when lost and one when back. Runs against a private redis-server that the test stops.
 */
import assert from "node:assert/strict";
import { createLogger, StoreUnavailableError } from "../mod.ts";
import { connectStore } from "../src/store/open_store.ts";
import { PrivateRedis } from "./_redis_server.ts";
import { eventually } from "./_node_process.ts";

Deno.test("connectStore: a closed port fails within the bound, in one line", async () => {
  const started = performance.now();
  await assert.rejects(
    connectStore("redis://127.0.0.1:1", { connectTimeoutMs: 1_000 }),
    (error: Error) =>
      error instanceof StoreUnavailableError &&
      error.message === "cannot reach Redis at redis://127.0.0.1:1: connection refused",
  );
  assert.ok(performance.now() - started < 10_000, "failed within 10 s");
  await assert.rejects(
    connectStore("redis://user:secret@127.0.0.1:1", { connectTimeoutMs: 200 }),
    (error: Error) => !error.message.includes("secret") && /:\*\*\*@/.test(error.message),
  );
});

Deno.test({
  name: "a lost Redis: calls fail fast, one line lost, one line reconnected",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const lines: string[] = [];
    const logger = createLogger({ format: "text", level: "debug", write: (l) => lines.push(l) });
    const store = await connectStore(redis.url, { logger, namespace: "outage" });
    try {
      assert.deepEqual(await store.queues(), []);
      await redis.stop();
      for (let i = 0; i < 5; i++) {
        const asked = performance.now();
        await assert.rejects(store.queues(), StoreUnavailableError);
        assert.ok(performance.now() - asked < 1_000, "a call fails fast, not after retries");
        await new Promise((r) => setTimeout(r, 100));
      }
      await redis.restart();
      await eventually(() => store.queues().then(() => true, () => false), (ok) => ok, 10_000);
      const lost = lines.filter((l) => /Redis connection lost/.test(l));
      const back = lines.filter((l) => /Redis reconnected/.test(l));
      assert.equal(lost.length, 1, lines.join("\n"));
      assert.equal(back.length, 1, lines.join("\n"));
      assert.equal(lines.length, 2, "nothing else was logged");
    } finally {
      await store.close();
      await redis.stop();
    }
  },
});
