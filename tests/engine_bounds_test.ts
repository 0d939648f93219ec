/**
 * Nonsense is refused at the engine (issue 13, item 3), on both stores: due times at most a year
 * ahead and never negative; pausing, resuming or configuring a queue that does not exist is an
 * error unless asked to create it; the stored payload is what the schema parsed (unknown keys
 * stripped, defaults filled, or refused by a strict schema).
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  createEngine,
  define,
  type Engine,
  PayloadValidationError,
  type Store,
  UnknownQueueError,
} from "../mod.ts";
import { MAX_SCHEDULE_AHEAD_MS } from "../src/job/options.ts";
import { MemoryStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

const Signup = define(
  {
    name: "signup",
    queue: "signups",
    payload: z.object({ email: z.string(), plan: z.string().default("free") }),
  },
  () => null,
);
const Strict = define(
  { name: "strict", queue: "signups", payload: z.strictObject({ email: z.string() }) },
  () => null,
);

type Case = (engine: Engine) => Promise<void>;

const CASES: Record<string, Case> = {
  "a delay or runAt beyond a year, or a negative delay, is refused; a year is fine": async (e) => {
    for (const delay of [1e300, MAX_SCHEDULE_AHEAD_MS + 1, -5, Number.NaN]) {
      await assert.rejects(
        e.enqueue(Signup, { email: "a" }, { delay }),
        (error: Error) =>
          error instanceof RangeError &&
          /delay must be a non-negative number of milliseconds, at most/.test(error.message),
        String(delay),
      );
    }
    await assert.rejects(
      e.enqueue(Signup, { email: "a" }, { runAt: Date.now() + 2 * MAX_SCHEDULE_AHEAD_MS }),
      /runAt must be at most one year ahead/,
    );
    await assert.rejects(e.enqueue(Signup, { email: "a" }, { runAt: 1e300 }), /one year ahead/);
    assert.deepEqual(await e.queues(), [], "nothing stored");
    const id = await e.enqueue(Signup, { email: "a" }, { delay: MAX_SCHEDULE_AHEAD_MS });
    assert.equal((await e.getJob(id))?.state, "delayed");
  },

  "pause, resume and configure refuse an unknown queue unless asked to create it": async (e) => {
    await assert.rejects(e.pause("typo"), UnknownQueueError);
    await assert.rejects(e.resume("typo"), /cannot resume queue "typo": no such queue/);
    await assert.rejects(e.configureQueue("typo", { strict: true }), UnknownQueueError);
    assert.deepEqual(await e.queues(), [], "the refusals created nothing");
    await e.pause("fresh", { create: true });
    assert.equal((await e.counts("fresh")).paused, true);
    assert.ok((await e.queues()).includes("fresh"));
    await e.enqueue(Signup, { email: "a" });
    await e.pause("signups");
    await e.resume("signups");
    assert.equal((await e.configureQueue("signups", { strict: true })).strict, true);
  },

  "the stored payload is the schema's output: unknown keys stripped, defaults in": async (e) => {
    const id = await e.enqueue("signup", { email: "a@example.com", evil: 1 });
    assert.deepEqual((await e.getJob(id))?.payload, { email: "a@example.com", plan: "free" });
    const [bulk] = await e.enqueueBulk([{ job: "signup", payload: { email: "b", x: 2 } }]);
    assert.deepEqual((await e.getJob(bulk!))?.payload, { email: "b", plan: "free" });
    await assert.rejects(e.enqueue("strict", { email: "c", evil: 1 }), PayloadValidationError);
  },
};

function register(name: string, store: () => Promise<Store>): void {
  for (const [title, fn] of Object.entries(CASES)) {
    Deno.test(`engine on ${name}: ${title}`, async () => {
      const s = await store();
      const engine = createEngine({ store: s, logger: silentLogger, functions: [Signup, Strict] });
      try {
        await fn(engine);
      } finally {
        await engine.close();
        await s.close();
      }
    });
  }
}

register("MemoryStore", () => Promise.resolve(new MemoryStore()));

await withRedis("engine bounds on RedisStore", (url) => {
  register("RedisStore", () => namespacedStore(url, "test-bounds"));
});
