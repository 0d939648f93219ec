/**
 * A delayed job enqueued while a worker sleeps idle fires at its due time, not at the worker's
 * next idle poll: a queue whose earliest due time moves earlier wakes its idle workers (both
 * stores, the real clock).
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, silentLogger } from "../mod.ts";
import { MemoryStore, type Store } from "../store.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

/** When each handler started (epoch ms), reset per test. */
let started: number[] = [];

const Due = define(
  { name: "wake-due", payload: z.object({ due: z.number() }), queue: "wake" },
  () => void started.push(Date.now()),
);

async function firesOnTime(store: Store): Promise<void> {
  started = [];
  const engine = createEngine({ store, logger: silentLogger, functions: [Due] });
  // an idle poll far longer than the delays: only a wake-up can start the jobs in time
  const worker = engine.work({ concurrency: 4, idlePollMs: 60_000, leader: false });
  try {
    await worker.ready;
    await new Promise((r) => setTimeout(r, 300)); // the worker is asleep by now
    const due = Date.now() + 300;
    await engine.enqueue(Due, { due }, { runAt: due });
    const later = Date.now() + 600;
    await engine.enqueue(Due, { due: later }, { runAt: later });
    const deadline = Date.now() + 20_000;
    while (started.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(started.length, 2, "the delayed jobs waited for the idle poll");
    // generous bounds (a loaded machine), far below the 60 s poll
    assert.ok(started[0]! - due < 5_000, `the first job started ${started[0]! - due} ms late`);
    assert.ok(started[1]! - later < 5_000, `the second job started ${started[1]! - later} ms late`);
  } finally {
    await worker.stop({ drainMs: 0 });
    await engine.close();
  }
}

Deno.test({
  name: "memory: a delayed job fires at its due time while the worker idles",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => firesOnTime(new MemoryStore()),
});

await withRedis("delayed wake-up", (url) => {
  Deno.test({
    name: "redis: a delayed job fires at its due time while the worker idles",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => firesOnTime(await namespacedStore(url, "wake")),
  });
});
