/**
 * A full Redis (`maxmemory` reached under `noeviction`, issue 15): an enqueue fails with a named
 * `StoreFullError` and writes nothing, the gateway answers 503 `STORE_FULL` with `Retry-After`,
 * the CLI says so in one line, and once memory is freed work goes on.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { StoreFullError } from "../mod.ts";
import { RedisStore } from "../store.ts";
import { Add, harness, TOKENS } from "./_gateway_harness.ts";
import { run } from "./_cli_harness.ts";
import { PrivateRedis } from "./_redis_server.ts";
import { fillRedis } from "../tools/chaos/redis.ts";

Deno.test({
  name: "a full Redis: StoreFullError, nothing half written, 503 STORE_FULL, one CLI line",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await PrivateRedis.start();
    const admin = new Redis(server.url);
    const store = new RedisStore({ url: server.url, namespace: "full" });
    const h = await harness(store);
    try {
      const before = (await admin.keys("*")).sort();
      const fillers = await fillRedis(admin);
      const snapshot = (await admin.keys("*")).filter((k) => !k.startsWith("filler:")).sort();
      assert.deepEqual(snapshot, before);

      await assert.rejects(h.engine.enqueue(Add, { a: 1, b: 1 }), StoreFullError);
      const bulk = h.engine.enqueueBulk([{ job: Add, payload: { a: 2, b: 2 } }]);
      await assert.rejects(bulk, (e: unknown) => e instanceof StoreFullError);
      const res = await h.request("POST", "/v1/jobs", {
        token: TOKENS.admin,
        body: { job: "add", payload: { a: 3, b: 3 } },
      });
      assert.equal(res.status, 503);
      assert.ok(Number(res.headers.get("retry-after")) > 0, "Retry-After");
      assert.equal((await res.json()).error.code, "STORE_FULL");
      const cli = await run(["enqueue", "add", '{"a":4,"b":4}'], store);
      assert.equal(cli.code, 1);
      assert.equal(cli.stderr.length, 1, cli.stderr.join("\n"));
      assert.match(cli.stderr[0]!, /is full/);
      // not half written: the store's keys are those from before, field for field
      const after = (await admin.keys("*")).filter((k) => !k.startsWith("filler:")).sort();
      assert.deepEqual(after, before);
      assert.equal((await h.engine.counts("math")).states.waiting, 1);

      // once memory is freed, the stored job is processed and enqueues work again
      await admin.del(...fillers);
      const [leased] = await store.reserve({
        worker: "w",
        queues: ["math"],
        count: 1,
        leaseMs: 9e3,
      });
      assert.equal(leased?.id, h.waiting);
      const done = await store.complete([{ id: leased.id, token: leased.token, result: null }]);
      assert.deepEqual(done, [0]);
      assert.ok(await h.engine.enqueue(Add, { a: 5, b: 5 }));
    } finally {
      await h.close();
      admin.disconnect();
      await server.stop();
    }
  },
});
