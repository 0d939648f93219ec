/**
 * The testing kit's `drain`: retries through their backoffs with the manual clock, dependency
 * graphs in order, follow-ups, time moved only when asked, failure callbacks, the runaway limit,
 * the queue filter, and `@job` classes. Every test runs with Deno's sanitizers on: a test engine
 * leaves no timer or resource behind.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { define, exponential, fixed, job, type JobContext } from "../mod.ts";
import { assertEnqueued, createTestEngine, drain, refuteEnqueued } from "../testing.ts";

/** Fails until its `succeedOn` attempt, with exponential backoff 1 s, 2 s, 4 s (no jitter). */
const Flaky = define(
  {
    name: "flaky",
    payload: z.object({ succeedOn: z.number() }),
    retry: { attempts: 5, backoff: exponential(1_000) },
  },
  ({ succeedOn }, ctx) => {
    if (ctx.attempt < succeedOn) throw new Error(`attempt ${ctx.attempt} failed`);
    return { attempt: ctx.attempt };
  },
);

Deno.test("drain: a retrying job runs through three backoffs as the clock moves", async () => {
  await using engine = await createTestEngine({ functions: [Flaky] });
  const start = engine.clock.now();
  await engine.enqueue(Flaky, { succeedOn: 4 });
  const ran = await drain(engine, { advanceTime: true });
  assert.deepEqual(ran.map((r) => [r.attempt, r.outcome, r.state]), [
    [1, "failed", "delayed"],
    [2, "failed", "delayed"],
    [3, "failed", "delayed"],
    [4, "completed", "completed"],
  ]);
  // each retry ran when its backoff was over, no earlier and no later
  assert.deepEqual(ran.map((r) => r.startedAt - start), [0, 1_000, 3_000, 7_000]);
  assert.deepEqual(ran.map((r) => r.scheduledAt - start), [0, 1_000, 3_000, 7_000]);
  assert.equal(engine.clock.now() - start, 7_000);
  assert.deepEqual(ran[3]!.result, { attempt: 4 });
  assert.equal(ran[0]!.error?.message, "attempt 1 failed");
});

Deno.test("drain: without advanceTime a retry waits for the test to move the clock", async () => {
  await using engine = await createTestEngine({ functions: [Flaky] });
  const id = await engine.enqueue(Flaky, { succeedOn: 2 });
  assert.deepEqual((await drain(engine)).map((r) => r.outcome), ["failed"]);
  assert.equal((await engine.getJob(id))?.state, "delayed");
  engine.clock.advance(999);
  assert.deepEqual(await drain(engine), [], "one ms before its backoff is over");
  engine.clock.advance(1);
  assert.deepEqual((await drain(engine)).map((r) => r.outcome), ["completed"]);
});

Deno.test("drain: advanceTime as ms lives through that span and leaves the clock at its end", async () => {
  await using engine = await createTestEngine({ functions: [Flaky] });
  const start = engine.clock.now();
  await engine.enqueue(Flaky, { succeedOn: 9 }); // fails all 5 attempts: 1 + 2 + 4 + 8 s of backoff
  const ran = await drain(engine, { advanceTime: 5_000 });
  assert.deepEqual(ran.map((r) => r.attempt), [1, 2, 3], "the fourth is due at 7 s");
  assert.equal(engine.clock.now() - start, 5_000);
  const rest = await drain(engine, { advanceTime: true });
  assert.deepEqual(rest.map((r) => [r.attempt, r.state]), [[4, "delayed"], [5, "dead"]]);
});

/** A diamond: fetch -> (resize, thumbnail) -> publish, which reads its prerequisites' results. */
const Fetch = define({ name: "fetch", payload: z.object({ url: z.string() }) }, ({ url }) => ({
  bytes: url.length,
}));
const Resize = define(
  { name: "resize", payload: z.object({ width: z.number() }) },
  ({ width }, ctx) => ({ width, from: ctx.resultsOf(Fetch)[0]?.bytes }),
);
const Publish = define(
  { name: "publish", payload: z.object({}), priority: "critical" },
  (_payload, ctx) => ({ widths: ctx.resultsOf(Resize).map((r) => r.width).sort((a, b) => a - b) }),
);

Deno.test("drain: a dependency graph runs in dependency order, results passed on", async () => {
  await using engine = await createTestEngine({ functions: [Fetch, Resize, Publish] });
  const ids = await engine.enqueueBulk([
    { job: Publish, payload: {}, options: { dependsOn: ["small", "large"] } },
    { job: Resize, payload: { width: 64 }, ref: "small", options: { dependsOn: ["fetch"] } },
    { job: Resize, payload: { width: 512 }, ref: "large", options: { dependsOn: ["fetch"] } },
    { job: Fetch, payload: { url: "/cat.png" }, ref: "fetch" },
  ]);
  await assertEnqueued(engine, { job: Publish }); // blocked counts as enqueued
  const ran = await drain(engine);
  assert.deepEqual(ran.map((r) => r.name), ["fetch", "resize", "resize", "publish"]);
  assert.deepEqual(ran.map((r) => r.outcome), ["completed", "completed", "completed", "completed"]);
  assert.deepEqual(ran.at(-1)!.result, { widths: [64, 512] });
  assert.equal(ran.at(-1)!.id, ids[0]);
  assert.deepEqual(ran[1]!.result, { width: 64, from: 8 });
  await refuteEnqueued(engine);
});

/** Enqueues `count` follow-ups of itself, counting down. */
const Countdown = define(
  { name: "countdown", payload: z.object({ n: z.number() }) },
  async ({ n }, ctx) => {
    if (n > 0) await ctx.enqueue(Countdown, { n: n - 1 }, { delay: 60_000 });
    return n;
  },
);

Deno.test("drain: follow-ups enqueued by handlers run in the same call", async () => {
  await using engine = await createTestEngine({ functions: [Countdown] });
  await engine.enqueue(Countdown, { n: 3 });
  const ran = await drain(engine, { advanceTime: true });
  assert.deepEqual(ran.map((r) => r.result), [3, 2, 1, 0]);
  assert.deepEqual(ran.map((r) => r.startedAt - ran[0]!.startedAt), [0, 60_000, 120_000, 180_000]);
});

Deno.test("drain: failure callbacks and events fire as under a worker", async () => {
  const failures: string[] = [];
  const events: string[] = [];
  const Doomed = define(
    {
      name: "doomed",
      payload: z.object({}),
      retry: { attempts: 2, backoff: fixed(10) },
      onFailure: (job, error) => void failures.push(`failure ${job.attempts}: ${error.message}`),
      onDead: (job) => void failures.push(`dead after ${job.attempts}`),
    },
    () => {
      throw new Error("boom");
    },
  );
  await using engine = await createTestEngine({ functions: [Doomed] });
  for (const type of ["enqueued", "active", "failed", "completed"] as const) {
    engine.on(type, () => events.push(type));
  }
  await engine.enqueue(Doomed, {});
  const ran = await drain(engine, { advanceTime: true });
  assert.deepEqual(ran.map((r) => r.state), ["delayed", "dead"]);
  // drain waits for the callbacks of each failure before it runs the next attempt
  assert.deepEqual(failures, ["failure 1: boom", "failure 2: boom", "dead after 2"]);
  assert.deepEqual(events, ["enqueued", "active", "failed", "active", "failed"]);
  const [dead] = (await engine.deadLetters.list({ queue: "default" })).jobs;
  assert.deepEqual(dead?.history.map((h) => [h.attempt, h.outcome, h.worker]), [
    [1, "failed", "sluice-testing"],
    [2, "failed", "sluice-testing"],
  ]);
});

Deno.test("drain: progress and log lines are stored with the job", async () => {
  const Chatty = define({ name: "chatty", payload: z.object({}) }, (_payload, ctx) => {
    ctx.progress(40, "almost half");
    ctx.log.info("working", { step: 1 });
  });
  await using engine = await createTestEngine({ functions: [Chatty] });
  const id = await engine.enqueue(Chatty, {});
  const progress: number[] = [];
  engine.on("progress", (event) => progress.push(event.percent));
  await drain(engine);
  assert.deepEqual(progress, [40]);
  const logs = await engine.jobLogs(id);
  assert.deepEqual(logs.map((l) => [l.level, l.message, l.fields]), [["info", "working", {
    step: 1,
  }]]);
});

Deno.test("drain: a job that snoozes forever stops at the limit with a clear error", async () => {
  const Sleepy = define({ name: "sleepy", payload: z.object({}) }, (_p, ctx) => ctx.snooze(1_000));
  await using engine = await createTestEngine({ functions: [Sleepy] });
  const id = await engine.enqueue(Sleepy, {});
  await assert.rejects(() => drain(engine, { advanceTime: true, limit: 5 }), (error: Error) => {
    assert.match(error.message, /more than 5 attempts/);
    assert.match(error.message, new RegExp(`job ${id}, sleepy`));
    return true;
  });
  const snoozed = await drain(engine); // the snooze is due later: nothing runs now
  assert.deepEqual(snoozed, []);
  engine.clock.advance(1_000);
  assert.deepEqual((await drain(engine)).map((r) => [r.attempt, r.outcome]), [[1, "released"]]);
});

Deno.test("drain: advanceTime waits out a rate limit, a window at a time", async () => {
  const Ping = define(
    { name: "ping", payload: z.object({ n: z.number() }), rateLimit: { max: 2, duration: 60_000 } },
    ({ n }) => n,
  );
  await using engine = await createTestEngine({ functions: [Ping] });
  for (let n = 1; n <= 5; n++) await engine.enqueue(Ping, { n });
  const start = engine.clock.now();
  assert.deepEqual((await drain(engine)).map((r) => r.result), [1, 2], "the rest wait");
  const ran = await drain(engine, { advanceTime: true });
  assert.deepEqual(ran.map((r) => [r.result, r.startedAt - start]), [
    [3, 60_000],
    [4, 60_000],
    [5, 120_000],
  ]);
});

Deno.test("drain: only the queue asked for", async () => {
  const Mail = define({ name: "mail", payload: z.object({}), queue: "emails" }, () => "mailed");
  const Bill = define({ name: "bill", payload: z.object({}), queue: "billing" }, () => "billed");
  await using engine = await createTestEngine({ functions: [Mail, Bill] });
  await engine.enqueue(Mail, {});
  await engine.enqueue(Bill, {});
  assert.deepEqual((await drain(engine, { queue: "emails" })).map((r) => r.result), ["mailed"]);
  await assertEnqueued(engine, { job: Bill, queue: "billing" });
  assert.deepEqual((await drain(engine)).map((r) => r.result), ["billed"]);
});

const Thumb = z.object({ width: z.number() });

/** A `@job` class. */
@job({ name: "thumbnail", payload: Thumb, result: z.object({ px: z.number() }) })
class Thumbnail {
  run({ width }: z.infer<typeof Thumb>, ctx: JobContext): { px: number } {
    return { px: width * ctx.attempt };
  }
}

Deno.test("drain: @job classes and define() functions alike, by class or by name", async () => {
  await using engine = await createTestEngine({ functions: [Thumbnail, Fetch] });
  await engine.enqueue(Thumbnail, { width: 32 });
  await engine.enqueue("fetch", { url: "/a" });
  const ran = await drain(engine);
  assert.deepEqual(ran.map((r) => [r.name, r.result]), [["thumbnail", { px: 32 }], [
    "fetch",
    { bytes: 2 },
  ]]);
});

Deno.test("drain: refuses an engine that createTestEngine did not make", async () => {
  const { createEngine } = await import("../mod.ts");
  const engine = createEngine({ store: "memory://" });
  await assert.rejects(() => drain(engine as never), /engine made by createTestEngine/);
  await engine.close();
  await using test = await createTestEngine();
  await assert.rejects(() => drain(test, { advanceTime: -1 }), RangeError);
  await assert.rejects(() => drain(test, { limit: 0 }), RangeError);
});

const SHIPPING = new URL("./fixtures/testing_functions/", import.meta.url).pathname;

Deno.test("drain: isolates run the functions folder's handlers, retries and follow-ups", async () => {
  await using engine = await createTestEngine({ functions: SHIPPING });
  await engine.enqueue("ship", { order: "o-7" });
  await engine.enqueue("courier", {});
  const ran = await drain(engine, { isolates: true, advanceTime: true });
  assert.deepEqual(ran.map((r) => [r.name, r.attempt, r.outcome]), [
    ["ship", 1, "completed"],
    ["courier", 1, "failed"],
    ["print-label", 1, "completed"],
    ["courier", 2, "failed"],
    ["courier", 3, "completed"],
  ]);
  assert.deepEqual(ran[2]!.result, { label: "label-o-7", isolated: true });
  assert.deepEqual((await engine.jobLogs(ran[2]!.id)).map((l) => l.message), ["printing"]);
  // the same functions inline, for contrast
  await engine.enqueue("print-label", { order: "o-8" });
  assert.deepEqual((await drain(engine)).map((r) => r.result), [{
    label: "label-o-8",
    isolated: false,
  }]);
});

Deno.test("drain: isolates need a functions folder or manifest, and say so", async () => {
  await using engine = await createTestEngine({ functions: [Flaky] });
  await engine.enqueue(Flaky, { succeedOn: 1 });
  await assert.rejects(() => drain(engine, { isolates: true }), /functions folder|manifest/);
});
