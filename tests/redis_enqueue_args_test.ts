/**
 * The arguments of `lua/enqueue.lua`: 7 a job, 9 more only for a job with optional fields. A call
 * mixing both widths stores each job as it asked, and a malformed call is refused whole, storing
 * nothing.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { enqueueArgs } from "../src/store/redis/enqueue_args.ts";
import { namespacePrefix } from "../src/store/redis/keys.ts";
import { Scripts } from "../src/store/redis/scripts.ts";
import type { NewJob } from "../store.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

const PAYLOAD = new TextEncoder().encode('{"i":1}');

function job(id: string, extra: Partial<NewJob> = {}): NewJob {
  return {
    id,
    name: "f",
    queue: "default",
    lane: "normal",
    payload: PAYLOAD,
    maxAttempts: 3,
    ...extra,
  };
}

Deno.test("enqueue arguments: 7 for a job without options, 16 with any one of them", () => {
  assert.deepEqual(enqueueArgs(job("a", { delay: 0, dependsOn: [] })).length, 7);
  assert.equal(enqueueArgs(job("a")).at(-1), "");
  const options: Partial<NewJob>[] = [
    { runAt: 1 },
    { delay: 5 },
    { backoff: '{"type":"fixed","delayMs":1}' },
    { dependsOn: ["p"] },
    { onPrerequisiteFailure: "skip" },
    { unique: { key: "k", scope: "queued", onConflict: "reject" } },
    { limitKey: "l" },
  ];
  for (const option of options) {
    const args = enqueueArgs(job("a", option));
    assert.equal(args.length, 16, JSON.stringify(option));
    assert.equal(args[6], "+");
  }
});

await withRedis("Redis enqueue arguments", (url) => {
  Deno.test("a call mixing plain jobs and jobs with options stores each as it asked", async () => {
    const store = await namespacedStore(url, "enqueue-args");
    try {
      const runAt = Date.now() + 60_000;
      const out = await store.enqueue([
        job("plain-1"),
        job("later", { runAt, unique: { key: "u", scope: "queued", onConflict: "reject" } }),
        job("plain-2", { dependsOn: ["later"] }),
        job("plain-3"),
      ]);
      assert.deepEqual(out.map((o) => [o.id, o.created, o.state]), [
        ["plain-1", true, "waiting"],
        ["later", true, "delayed"],
        ["plain-2", true, "blocked"],
        ["plain-3", true, "waiting"],
      ]);
      const [later] = await store.getJobs(["later"]);
      assert.equal(later?.runAt, runAt);
      const again = await store.enqueue([
        job("other", { unique: { key: "u", scope: "queued", onConflict: "return-existing" } }),
        job("plain-1"),
      ]);
      assert.deepEqual(again.map((o) => [o.id, o.created, o.state]), [
        ["later", false, "delayed"],
        ["plain-1", false, "waiting"],
      ]);
    } finally {
      await store.close();
    }
  });

  Deno.test("a malformed enqueue call is refused whole and stores nothing", async () => {
    const namespace = `enqueue-args-${crypto.randomUUID()}`;
    const prefix = namespacePrefix(namespace);
    const redis = new Redis(url);
    const scripts = new Scripts(redis, prefix);
    const head = ["", "0,0,0,0", "1"];
    const good = ["ok", "f", "default", 2, "{}", 3, ""];
    try {
      for (
        const items of [
          [...good, "bad", "f", "default", 2, "{}", 3, "?"], // unknown extras marker
          [...good, "cut", "f", "default", 2, "{}", 3, "+", ""], // extras cut short
          [...good, "cut", "f", "default"], // item cut short
        ]
      ) {
        await assert.rejects(
          scripts.run("enqueue", [...head.slice(0, 2), "2", ...items]),
          /ARGV does not hold whole items/,
        );
        assert.equal(await redis.exists(`${prefix}j:ok`), 0);
      }
      await assert.rejects(
        scripts.run("enqueue", [...head, ...good, ...good.map((f, i) => i === 0 ? "ok2" : f)]),
        /items beyond the group sizes/,
      );
      assert.equal(await redis.exists(`${prefix}j:ok`), 0);
    } finally {
      redis.disconnect();
    }
  });
});
