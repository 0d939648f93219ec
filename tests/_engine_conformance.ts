/**
 * Engine-level conformance cases: the public API end to end, run against every store by the same
 * runners as the store cases.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  BulkItemError,
  createEngine,
  define,
  type Engine,
  InvalidStateError,
  JobNotFoundError,
  PayloadValidationError,
  UnknownFunctionError,
} from "../mod.ts";
import { silentLogger } from "../src/job/logger.ts";
import type { CaseContext, ConformanceCases } from "../src/store/_conformance.ts";

const Add = define(
  { name: "add", payload: z.object({ a: z.number(), b: z.number() }), queue: "math" },
  ({ a, b }) => ({ sum: a + b }),
);

const Boom = define(
  { name: "boom", payload: z.object({}), queue: "math", attempts: 1 },
  () => {
    throw new Error("always fails");
  },
);

async function engineFor(ctx: CaseContext): Promise<Engine> {
  const store = await ctx.store();
  return createEngine({ store, clock: ctx.clock, logger: silentLogger, functions: [Add, Boom] });
}

/** Polls `read` until `done` holds (10 s at most); returns the last value. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The engine cases. */
export const ENGINE_CASES: ConformanceCases = {
  async "engine: enqueue, work, the result is readable by getJob"(ctx) {
    const engine = await engineFor(ctx);
    const seen: string[] = [];
    engine.on("completed", (e) => seen.push(e.id));
    const worker = engine.work({ concurrency: 4 });
    try {
      const id = await engine.enqueue(Add, { a: 2, b: 3 });
      const job = await until(() => engine.getJob(id), (j) => j?.state === "completed");
      assert.deepEqual(job!.result, { sum: 5 });
      assert.deepEqual(job!.payload, { a: 2, b: 3 });
      assert.equal(job!.name, "add");
      assert.equal(job!.queue, "math");
      assert.equal(job!.priority, "normal");
      assert.equal(job!.attempts, 1);
      assert.equal(job!.error, null);
      for (const key of ["enqueuedAt", "runAt", "startedAt", "finishedAt"] as const) {
        assert.equal(typeof job![key], "number", key);
      }
      await until(() => Promise.resolve(seen.length), (n) => n === 1);
      assert.deepEqual(seen, [id]);
    } finally {
      await worker.stop();
      await engine.close();
    }
  },

  async "engine: a failing job is dead-lettered with its error"(ctx) {
    const engine = await engineFor(ctx);
    const worker = engine.work({ queues: ["math"] });
    try {
      const id = await engine.enqueue(Boom, {});
      const job = await until(() => engine.getJob(id), (j) => j?.state === "dead");
      assert.equal(job!.error!.message, "always fails");
      assert.equal(job!.attempts, 1);
    } finally {
      await worker.stop();
      await engine.close();
    }
  },

  async "engine: invalid payloads are refused with the zod issues, nothing stored"(ctx) {
    const engine = await engineFor(ctx);
    await assert.rejects(
      // @ts-expect-error: b must be a number
      () => engine.enqueue(Add, { a: 1, b: "2" }),
      (error: unknown) => {
        assert.ok(error instanceof PayloadValidationError);
        assert.deepEqual(error.issues[0]!.path, ["b"]);
        assert.match(error.message, /b: /);
        return true;
      },
    );
    await assert.rejects(() => engine.enqueue("add", { a: 1 }), PayloadValidationError);
    await assert.rejects(() => engine.enqueue("nope", {}), UnknownFunctionError);
    await assert.rejects(
      () => engine.enqueue(Add, { a: 1, b: 2 }, { priority: "urgent" as never }),
      TypeError,
    );
    await assert.rejects(() => engine.enqueue(Add, { a: 1, b: 2 }, { delay: -1 }), RangeError);
    await assert.rejects(
      () => engine.enqueue(Add, { a: 1, b: 2 }, { delay: 1, runAt: 5 }),
      TypeError,
    );
    await assert.rejects(
      () => engine.enqueue(Add, { a: 1, b: 2 }, { colour: "red" } as never),
      TypeError,
    );
    assert.deepEqual(await engine.queues(), []);
    await engine.close();
  },

  async "engine: the same caller id twice gives one job"(ctx) {
    const engine = await engineFor(ctx);
    const a = await engine.enqueue(Add, { a: 1, b: 1 }, { id: "sum-1" });
    const b = await engine.enqueue(Add, { a: 9, b: 9 }, { id: "sum-1" });
    assert.equal(a, "sum-1");
    assert.equal(b, "sum-1");
    assert.deepEqual((await engine.getJob("sum-1"))!.payload, { a: 1, b: 1 });
    assert.equal((await engine.counts("math")).states.waiting, 1);
    await engine.close();
  },

  async "engine: enqueueBulk stores 10,000 items, or none when one is invalid"(ctx) {
    const engine = await engineFor(ctx);
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      job: Add,
      payload: { a: i, b: 1 },
      options: { priority: (["high", "low"] as const)[i % 2] },
    }));
    const bad = [
      ...items.slice(0, 5_000),
      { job: "add", payload: { a: "x" } },
      ...items.slice(5_000),
    ];
    await assert.rejects(() => engine.enqueueBulk(bad), (error: unknown) => {
      assert.ok(error instanceof BulkItemError);
      assert.equal(error.index, 5_000);
      assert.ok(error.cause instanceof PayloadValidationError);
      return true;
    });
    assert.equal((await engine.counts("math")).states.waiting, 0);
    const ids = await engine.enqueueBulk(items);
    assert.equal(ids.length, 10_000);
    assert.equal(new Set(ids).size, 10_000);
    const counts = await engine.counts("math");
    assert.equal(counts.lanes.high.waiting, 5_000);
    assert.equal(counts.lanes.low.waiting, 5_000);
    assert.deepEqual((await engine.getJob(ids[9_999]!))!.payload, { a: 9_999, b: 1 });
    await engine.close();
  },

  async "engine: changePriority and cancel report clear errors"(ctx) {
    const engine = await engineFor(ctx);
    const id = await engine.enqueue(Add, { a: 1, b: 2 }, { priority: "low" });
    await engine.changePriority(id, "critical");
    assert.equal((await engine.getJob(id))!.priority, "critical");
    await assert.rejects(() => engine.changePriority("missing", "high"), JobNotFoundError);
    await assert.rejects(() => engine.changePriority(id, "urgent" as never), TypeError);
    const worker = engine.work({ queues: ["math"] });
    await until(() => engine.getJob(id), (j) => j?.state === "completed");
    await worker.stop();
    await assert.rejects(() => engine.changePriority(id, "high"), (error: unknown) => {
      assert.ok(error instanceof InvalidStateError);
      assert.equal(error.state, "completed");
      assert.match(error.message, /it is completed/);
      return true;
    });
    await assert.rejects(() => engine.cancel(id), InvalidStateError);
    const later = await engine.enqueue(Add, { a: 1, b: 2 }, { delay: 60_000 });
    assert.equal(await engine.cancel(later), "cancelled");
    assert.equal((await engine.getJob(later))!.state, "cancelled");
    await engine.close();
  },

  async "engine: a paused queue dispatches nothing until resumed"(ctx) {
    const engine = await engineFor(ctx);
    let polls = 0;
    const reserve = engine.store.reserve.bind(engine.store);
    engine.store.reserve = (request) => {
      polls++;
      return reserve(request);
    };
    await engine.pause("math", { create: true }); // before any job: the queue is new
    const ids = await engine.enqueueBulk(
      [1, 2, 3].map((a) => ({ job: Add, payload: { a, b: 0 } })),
    );
    const order: string[] = [];
    engine.on("active", (e) => order.push(e.id));
    const worker = engine.work({ queues: ["math"], concurrency: 1, idlePollMs: 20 });
    try {
      await until(() => Promise.resolve(polls), (n) => n >= 3); // the worker asked, and asked again
      assert.equal((await engine.counts("math")).states.waiting, 3);
      await engine.resume("math");
      await until(() => engine.counts("math"), (c) => c.states.completed === 3);
      assert.deepEqual(order, ids);
    } finally {
      await worker.stop();
      await engine.close();
    }
  },

  async "engine: an active job is cancelled through its signal"(ctx) {
    const store = await ctx.store();
    let started = false;
    const Sleepy = define(
      { name: "sleepy", payload: z.object({}), queue: "slow" },
      (_payload, { signal }) =>
        new Promise((_resolve, reject) => {
          started = true;
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    );
    const engine = createEngine({
      store,
      clock: ctx.clock,
      logger: silentLogger,
      functions: [Sleepy],
    });
    const worker = engine.work({ leaseMs: 90 });
    try {
      const id = await engine.enqueue(Sleepy, {});
      await until(() => Promise.resolve(started), (s) => s);
      assert.equal(await engine.cancel(id), "active");
      const job = await until(() => engine.getJob(id), (j) => j?.state === "cancelled");
      assert.equal(job!.cancelRequested, true);
      assert.equal(job!.error!.name, "AbortError");
    } finally {
      await worker.stop();
      await engine.close();
    }
  },
};
