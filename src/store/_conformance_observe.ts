/**
 * Store conformance cases of what the stores record for observers: the shared event stream
 * (written by the calls that change jobs, resumable by id, with waiting reads), aggregated
 * metrics, progress, job logs, and cancellations heard at once. Part of the one store suite:
 * `runStoreConformance` in `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Status } from "../job/status.ts";
import { type ConformanceCases, newJob, W } from "./_conformance.ts";
import { BUCKET_EDGES_MS } from "./observations.ts";

const ERROR = '{"name":"Error","message":"boom"}';

/** Cases of observation. */
export const OBSERVE_CASES: ConformanceCases = {
  async "events: each change is recorded once, in order, and readers resume from an id"(ctx) {
    const store = await ctx.store();
    const start = await store.readEvents();
    const [a, b] = [newJob(), newJob({ maxAttempts: 1 })];
    await store.enqueue([a, b]);
    const [ra, rb] = await store.reserve({ ...W, count: 2 });
    ctx.clock.advance(40);
    await store.progress([{ id: a.id, token: ra!.token, percent: 50, message: "half" }]);
    await store.complete([{ id: a.id, token: ra!.token, result: null }]);
    await store.fail([{ id: b.id, token: rb!.token, error: ERROR, retryDelay: null }]);
    await store.requeueDead({ queue: "q", ids: [b.id] });
    await store.cancel(b.id);
    const all = await store.readEvents({ after: start.last });
    assert.equal(all.gap, false);
    assert.deepEqual(all.events.map((e) => [e.type, e.event.id]), [
      ["enqueued", a.id],
      ["enqueued", b.id],
      ["active", a.id],
      ["active", b.id],
      ["progress", a.id],
      ["completed", a.id],
      ["failed", b.id],
      ["requeued", b.id],
      ["cancelled", b.id],
    ]);
    const [, , active, , progress, completed, failed] = all.events.map((e) =>
      e.event as unknown as Record<string, unknown>
    );
    assert.deepEqual(active, {
      id: a.id,
      name: "test-fn",
      queue: "q",
      lane: "normal",
      at: ctx.clock.now() - 40,
      attempt: 1,
      worker: "w1",
      waitMs: 0,
    });
    assert.deepEqual([progress!.percent, progress!.message], [50, "half"]);
    assert.deepEqual([completed!.attempt, completed!.durationMs], [1, 40]);
    const error = failed!.error as { message: string };
    assert.deepEqual([failed!.state, error.message, failed!.retryAt], ["dead", "boom", null]);
    // resuming after an event gives the ones after it, and an empty page keeps the position
    const later = await store.readEvents({ after: all.events[6]!.id });
    assert.deepEqual(later.events.map((e) => e.type), ["requeued", "cancelled"]);
    const none = await store.readEvents({ after: later.last });
    assert.deepEqual([none.events, none.last], [[], later.last]);
    assert.deepEqual(
      (await store.readEvents({ after: "0", limit: 2 })).events.map((e) => e.type),
      ["enqueued", "enqueued"],
    );
  },

  async "events: the stream keeps about its cap in events, whole calls, the newest always"(ctx) {
    const store = await ctx.store(undefined, 10);
    await store.enqueue(Array.from({ length: 4 }, () => newJob())); // 4 events
    await store.enqueue(Array.from({ length: 4 }, () => newJob())); // 8
    const kept = await store.readEvents({ after: "0" });
    assert.deepEqual([kept.events.length, kept.gap], [8, false]);
    await store.enqueue(Array.from({ length: 5 }, () => newJob())); // 13: the first call goes
    const after = await store.readEvents({ after: "0" });
    assert.equal(after.events.length, 9);
    await store.enqueue(Array.from({ length: 30 }, () => newJob())); // bigger than the cap
    const big = await store.readEvents({ after: "0" });
    assert.equal(big.events.length, 30); // only the newest call, whole
    // a reader behind the dropped events is told so
    const behind = await store.readEvents({ after: kept.events[0]!.id });
    assert.equal(behind.gap, true);
  },

  async "events: a waiting read returns as soon as an event comes"(ctx) {
    const store = await ctx.store();
    const from = await store.readEvents();
    const read = store.readEvents({ after: from.last, waitMs: 10_000 });
    await store.enqueue([newJob()]);
    const got = await read;
    assert.deepEqual(got.events.map((e) => e.type), ["enqueued"]);
    const abort = new AbortController();
    const idle = store.readEvents({ after: got.last, waitMs: 10_000, signal: abort.signal });
    abort.abort();
    assert.deepEqual((await idle).events, []);
  },

  async "metrics: outcomes and run and wait times add up per queue, lane and function"(ctx) {
    const store = await ctx.store();
    await store.enqueue([newJob(), newJob({ lane: "high" }), newJob({ maxAttempts: 1 })]);
    ctx.clock.advance(7); // every job waits 7 ms
    const rs = await store.reserve({ ...W, count: 3 });
    ctx.clock.advance(30); // and runs 30 ms
    const byLane = (lane: string) => rs.find((r) => r.lane === lane && r.maxAttempts === 3)!;
    await store.complete([byLane("normal"), byLane("high")].map((r) => ({ ...r, result: null })));
    const doomed = rs.find((r) => r.maxAttempts === 1)!;
    await store.fail([{ id: doomed.id, token: doomed.token, error: ERROR, retryDelay: null }]);
    const { total, minutes } = await store.metrics({ minutes: 5 });
    const normal = total.find((g) => g.lane === "normal")!;
    assert.deepEqual([normal.queue, normal.name], ["q", "test-fn"]);
    assert.deepEqual([normal.completed, normal.dead, normal.failed], [1, 1, 0]);
    assert.deepEqual([normal.run.count, normal.run.sumMs, normal.wait.sumMs], [2, 60, 14]);
    const at = (ms: number) => BUCKET_EDGES_MS.findIndex((edge) => ms <= edge);
    assert.equal(normal.run.buckets[at(30)], 2);
    assert.equal(normal.wait.buckets[at(7)], 2);
    assert.equal(total.find((g) => g.lane === "high")!.completed, 1);
    assert.equal(minutes.length, 1);
    assert.equal(minutes[0]!.minute, Math.floor(ctx.clock.now() / 60_000));
    assert.deepEqual(minutes[0]!.groups, total);
  },

  async "metrics: the counts of many calls add up in their minutes, however they are read"(ctx) {
    const store = await ctx.store();
    const completeOne = async (runMs: number) => {
      await store.enqueue([newJob()]);
      const [r] = await store.reserve({ ...W, count: 1 });
      ctx.clock.advance(runMs);
      await store.complete([{ id: r!.id, token: r!.token, result: null }]);
    };
    const first = Math.floor(ctx.clock.now() / 60_000);
    for (let i = 0; i < 10; i++) await completeOne(1);
    const early = await store.metrics({ minutes: 5 });
    assert.equal(early.total[0]!.completed, 10);
    ctx.clock.advance(60_000);
    for (let i = 0; i < 40; i++) await completeOne(2);
    for (let read = 0; read < 2; read++) { // a second read finds the same
      const { total, minutes } = await store.metrics({ minutes: 5 });
      assert.deepEqual([total[0]!.completed, total[0]!.run.count, total[0]!.run.sumMs], [
        50,
        50,
        90,
      ]);
      assert.deepEqual(minutes.map((m) => [m.minute, m.groups[0]!.completed]), [
        [first, 10],
        [first + 1, 40],
      ]);
    }
  },

  async "metrics: run and wait sums stay exact whether the times are whole or fractional"(ctx) {
    const store = await ctx.store();
    const completeOne = async (waitMs: number, runMs: number) => {
      await store.enqueue([newJob()]);
      ctx.clock.advance(waitMs);
      const [r] = await store.reserve({ ...W, count: 1 });
      ctx.clock.advance(runMs);
      await store.complete([{ id: r!.id, token: r!.token, result: null }]);
    };
    await completeOne(2, 1); // whole sums
    await completeOne(0.25, 2.5); // fractional from here on
    await completeOne(3, 3); // whole times added to fractional sums
    const { total } = await store.metrics({ minutes: 1 });
    assert.deepEqual([total[0]!.completed, total[0]!.run.sumMs, total[0]!.wait.sumMs], [
      3,
      6.5,
      5.25,
    ]);
  },

  async "progress is stored with the job; logs keep a job's newest lines"(ctx) {
    const store = await ctx.store();
    const job = newJob();
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.deepEqual(await store.progress([{ id: job.id, token: "forged", percent: 1 }]), [
      Status.LEASE_LOST,
    ]);
    await store.progress([{ id: job.id, token: r!.token, percent: 20 }]);
    assert.deepEqual((await store.getJob(job.id))!.progress, { percent: 20 });
    const lines = Array.from({ length: 205 }, (_, i) => ({ id: job.id, line: `{"n":${i}}` }));
    assert.equal(await store.appendLogs([...lines, { id: "gone", line: "{}" }]), 205);
    const kept = await store.jobLogs(job.id);
    assert.equal(kept.length, 200);
    assert.deepEqual([kept[0], kept.at(-1)], ['{"n":5}', '{"n":204}']);
  },

  async "a cancellation reaches the listener of the job's node at once"(ctx) {
    const store = await ctx.store();
    const job = newJob();
    await store.enqueue([job]);
    await store.reserve({ ...W, count: 1 });
    const heard = Promise.withResolvers<string>();
    const other: string[] = [];
    const stop = store.onCancelRequested("w1", (id) => heard.resolve(id));
    const stopOther = store.onCancelRequested("w2", (id) => other.push(id));
    await ctx.listening(store, ["cancel:w1"]);
    assert.equal((await store.cancel(job.id)).status, Status.CANCEL_REQUESTED);
    assert.equal(await heard.promise, job.id);
    assert.deepEqual(other, []);
    stop();
    stopOther();
  },
};
