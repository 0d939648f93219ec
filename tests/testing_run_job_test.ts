/**
 * The testing kit's `runJob`: a real `JobContext` (attempt, scheduled time, prerequisites,
 * progress, signal, follow-up enqueues), payload and result validated as the engine does, and
 * the attempt's own error thrown.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  define,
  job,
  type JobContext,
  PayloadValidationError,
  RateLimitError,
  ResultValidationError,
  SnoozeError,
  TimeoutError,
  UnrecoverableError,
} from "../mod.ts";
import { allEnqueued, assertEnqueued, createTestEngine, runJob } from "../testing.ts";

const Fetch = define({ name: "fetch", payload: z.object({ url: z.string() }) }, () => ({
  bytes: 0,
}));

/** Reports everything its context says. */
const Inspect = define(
  { name: "inspect", payload: z.object({ n: z.number().default(1) }), queue: "probes" },
  ({ n }, ctx) => ({
    n,
    id: ctx.id,
    name: ctx.name,
    queue: ctx.queue,
    lane: ctx.lane,
    attempt: ctx.attempt,
    maxAttempts: ctx.maxAttempts,
    scheduledAt: ctx.scheduledAt,
    fetched: ctx.resultsOf(Fetch),
    prerequisites: ctx.prerequisites.map((p) => `${p.id}:${p.name}:${p.state}`),
  }),
);

Deno.test("runJob: the handler sees a real context; the result is returned as stored", async () => {
  const scheduledAt = Date.parse("2026-05-01T09:00:00Z");
  const result = await runJob(Inspect, {}, {
    attempt: 2,
    maxAttempts: 4,
    scheduledAt: new Date(scheduledAt),
    id: "job-7",
    priority: "high",
    prerequisites: [
      { job: Fetch, result: { bytes: 512 } },
      { job: "fetch", state: "dead", id: "f-2" },
    ],
  });
  assert.deepEqual(result, {
    n: 1, // the schema's default, filled as enqueue fills it
    id: "job-7",
    name: "inspect",
    queue: "probes",
    lane: "high",
    attempt: 2,
    maxAttempts: 4,
    scheduledAt,
    fetched: [{ bytes: 512 }],
    prerequisites: ["prerequisite-1:fetch:completed", "f-2:fetch:dead"],
  });
});

Deno.test("runJob: a payload the schema refuses throws PayloadValidationError", async () => {
  await assert.rejects(
    () => runJob(Inspect, { n: "one" } as never),
    (error: unknown) => error instanceof PayloadValidationError && /inspect/.test(error.message),
  );
});

Deno.test("runJob: the result goes through the result schema and the codec", async () => {
  const Dated = define(
    { name: "dated", payload: z.object({ ok: z.boolean() }), result: z.object({ at: z.date() }) },
    ({ ok }) => ({ at: ok ? new Date(0) : "yesterday" }) as { at: Date },
  );
  // JSON, the default codec, stores a date as its ISO text: what dependents and getJob see
  assert.deepEqual(await runJob(Dated, { ok: true }), { at: "1970-01-01T00:00:00.000Z" });
  await assert.rejects(() => runJob(Dated, { ok: false }), ResultValidationError);
});

Deno.test("runJob: throws the attempt's own error: unrecoverable, snooze, rate limit", async () => {
  const Picky = define(
    { name: "picky", payload: z.object({ what: z.enum(["give-up", "snooze", "slow", "fail"]) }) },
    ({ what }, ctx) => {
      if (what === "give-up") throw new UnrecoverableError("no such user");
      if (what === "snooze") return ctx.snooze(5_000);
      if (what === "slow") return ctx.rateLimit(2_000);
      throw new TypeError("plain failure");
    },
  );
  await assert.rejects(() => runJob(Picky, { what: "give-up" }), UnrecoverableError);
  await assert.rejects(() => runJob(Picky, { what: "snooze" }), (e: unknown) => {
    return e instanceof SnoozeError && e.delayMs === 5_000;
  });
  await assert.rejects(() => runJob(Picky, { what: "slow" }), RateLimitError);
  await assert.rejects(() => runJob(Picky, { what: "fail" }), TypeError);
});

Deno.test("runJob: a handler past its timeout fails with TimeoutError", async () => {
  const Slow = define(
    { name: "slow", payload: z.object({}), timeout: 20 },
    (_payload, ctx) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))
      ),
  );
  await assert.rejects(() => runJob(Slow, {}), TimeoutError);
});

Deno.test("runJob: the signal option aborts ctx.signal while the handler runs", async () => {
  const Waits = define(
    { name: "waits", payload: z.object({}) },
    (_payload, ctx) =>
      new Promise((_, reject) => {
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
        ctx.progress(10); // the test aborts when it hears this
      }),
  );
  const controller = new AbortController();
  const run = runJob(Waits, {}, {
    signal: controller.signal,
    onProgress: () => controller.abort(new DOMException("job cancelled", "AbortError")),
  });
  await assert.rejects(run, { name: "AbortError", message: "job cancelled" });
});

const Shipment = z.object({ order: z.string() });

/** A `@job` class that reports progress and enqueues a follow-up. */
@job({ name: "ship", payload: Shipment })
class Ship {
  async run({ order }: z.infer<typeof Shipment>, ctx: JobContext): Promise<string> {
    ctx.progress(50, "packed");
    return await ctx.enqueue(Fetch, { url: `/labels/${order}` }, { delay: 1_000 });
  }
}

Deno.test("runJob: @job classes; progress heard; follow-ups go to the engine given", async () => {
  await using engine = await createTestEngine({ functions: [Fetch] });
  const progress: [number, string | undefined][] = [];
  const id = await runJob(Ship, { order: "o-1" }, {
    engine,
    onProgress: (percent, message) => progress.push([percent, message]),
  });
  assert.deepEqual(progress, [[50, "packed"]]);
  const followUp = await assertEnqueued(engine, {
    job: Fetch,
    payload: { url: "/labels/o-1" },
    delay: 1_000,
  });
  assert.equal(followUp.id, id);
  const enqueued = await allEnqueued(engine);
  assert.deepEqual(enqueued.map((j) => j.name), ["fetch"], "the run job itself is not in it");
});

Deno.test("runJob: bad options are refused", async () => {
  await assert.rejects(() => runJob({} as never, {} as never), /definition made by define/);
  await assert.rejects(() => runJob(Fetch, { url: "/" }, { attempt: 0 }), RangeError);
  await assert.rejects(
    () => runJob(Fetch, { url: "/" }, { attempt: 3, maxAttempts: 2 }),
    /maxAttempts must be at least attempt/,
  );
});
