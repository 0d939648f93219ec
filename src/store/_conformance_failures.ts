/**
 * Store conformance cases of failure handling: the attempt history and the dead-letter verbs
 * (list, requeue, purge, retention). Part of the one store suite: `runStoreConformance` in
 * `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { newJobId } from "../job/ids.ts";
import type { AttemptRecord } from "../job/attempt_history.ts";
import type { CaseContext, ConformanceCases } from "./_conformance.ts";
import { DEAD_SCAN_BUDGET } from "./dead_letters.ts";
import type { DeadLetterQuery, NewJob, Store } from "./store.ts";

const W = { worker: "w1", queues: ["q"], leaseMs: 30_000 };

/** Enqueues one job per `names` entry and fails each once with no retry, `stepMs` apart. */
async function deadJobs(
  ctx: CaseContext,
  store: Store,
  names: string[],
  error: (i: number) => string = () => JSON.stringify({ name: "Error", message: "boom" }),
  stepMs = 10,
): Promise<string[]> {
  const jobs: NewJob[] = names.map((name) => ({
    id: newJobId(),
    name,
    queue: "q",
    lane: "normal",
    payload: new Uint8Array(),
    runAt: 0,
    maxAttempts: 1,
  }));
  await store.enqueue(jobs);
  const leased = await store.reserve({ ...W, count: jobs.length });
  const failures = leased.map((r, i) => ({
    id: r.id,
    token: r.token,
    error: error(i),
    retryDelay: null,
  }));
  if (stepMs === 0) await store.fail(failures);
  for (const failure of stepMs === 0 ? [] : failures) {
    ctx.clock.advance(stepMs);
    await store.fail([failure]);
  }
  return jobs.map((j) => j.id);
}

/** Every id a requeue or purge reaches, following its cursor to the end. */
async function drain(
  verb: (query: DeadLetterQuery) => Promise<{ ids: string[]; nextCursor: string | null }>,
  query: DeadLetterQuery,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const batch = await verb({ ...query, cursor });
    ids.push(...batch.ids);
    cursor = batch.nextCursor;
  } while (cursor !== null);
  return ids;
}

/** The failure-handling cases. */
export const FAILURE_CASES: ConformanceCases = {
  async "every attempt is recorded in the job's history"(ctx) {
    const store = await ctx.store();
    const job: NewJob = {
      id: newJobId(),
      name: "f",
      queue: "q",
      lane: "normal",
      payload: new Uint8Array(),
      runAt: 0,
      maxAttempts: 4,
    };
    await store.enqueue([job]);
    const t0 = ctx.clock.now();
    const error = { name: "TypeError", message: "boom", stack: "TypeError: boom\n    at f" };
    let [r] = await store.reserve({ ...W, count: 1 });
    ctx.clock.advance(10);
    await store.fail([{
      id: job.id,
      token: r!.token,
      error: JSON.stringify(error),
      retryDelay: 0,
    }]);
    [r] = await store.reserve({ ...W, worker: "w2", count: 1 });
    ctx.clock.advance(10);
    await store.release([{ id: job.id, token: r!.token }]);
    [r] = await store.reserve({ ...W, count: 1, leaseMs: 100 });
    ctx.clock.advance(100);
    await store.reclaimExpired();
    [r] = await store.reserve({ ...W, count: 1 });
    await store.fail([{ id: job.id, token: r!.token, error: "not json", retryDelay: 0 }]);
    [r] = await store.reserve({ ...W, count: 1 });
    ctx.clock.advance(5);
    await store.complete([{ id: job.id, token: r!.token, result: null }]);
    const entry = (
      attempt: number,
      startedAt: number,
      finishedAt: number,
      worker: string,
      outcome: AttemptRecord["outcome"],
      err: AttemptRecord["error"] = null,
    ): AttemptRecord => ({ attempt, startedAt, finishedAt, worker, outcome, error: err });
    assert.deepEqual((await store.getJob(job.id))!.history, [
      entry(1, t0, t0 + 10, "w1", "failed", error),
      entry(2, t0 + 10, t0 + 20, "w2", "released"),
      entry(2, t0 + 20, t0 + 120, "w1", "stalled"),
      entry(3, t0 + 120, t0 + 120, "w1", "failed", { name: "Error", message: "not json" }),
      entry(4, t0 + 120, t0 + 125, "w1", "completed"),
    ]);
  },

  async "the history keeps the newest attempts; a final stall records its error"(ctx) {
    const store = await ctx.store();
    const id = newJobId();
    const base = { name: "f", queue: "q", lane: "normal" as const, payload: new Uint8Array() };
    await store.enqueue([{ ...base, id, runAt: 0, maxAttempts: 30 }]);
    for (let i = 1; i < 30; i++) {
      const [r] = await store.reserve({ ...W, count: 1 });
      const error = JSON.stringify({ name: "Error", message: `fail ${i}` });
      await store.fail([{ id, token: r!.token, error, retryDelay: 0 }]);
    }
    await store.reserve({ ...W, count: 1, leaseMs: 100 });
    ctx.clock.advance(100);
    assert.deepEqual(await store.reclaimExpired(), { requeued: [], dead: [id] });
    const job = await store.getJob(id);
    assert.equal(job!.state, "dead");
    assert.equal(job!.history.length, 25);
    assert.deepEqual(
      job!.history.map((h) => h.attempt),
      Array.from({ length: 25 }, (_, i) => i + 6),
    );
    assert.equal(job!.history[0]!.error!.message, "fail 6");
    const last = job!.history[24]!;
    assert.equal(last.outcome, "stalled");
    assert.deepEqual(last.error, JSON.parse(job!.error!));
    assert.equal(last.error!.name, "StalledError");
  },

  async "listDead filters by name, error text and failure time, page by page"(ctx) {
    const store = await ctx.store();
    const t0 = ctx.clock.now();
    const names = ["a", "b", "a", "b", "a", "b"];
    const ids = await deadJobs(ctx, store, names, (i) =>
      JSON.stringify(
        i % 3 === 0
          ? { name: "TimeoutError", message: `took ${i}s` }
          : { name: "Error", message: `boom ${i}` },
      ));
    const list = async (query: Partial<DeadLetterQuery>): Promise<string[]> =>
      (await store.listDead({ queue: "q", ...query })).jobs.map((j) => j.id);
    assert.deepEqual(await list({}), ids);
    assert.deepEqual(await list({ name: "b" }), [ids[1], ids[3], ids[5]]);
    assert.deepEqual(await list({ errorContains: "TimeoutError: took" }), [ids[0], ids[3]]);
    assert.deepEqual(await list({ errorContains: "boom 4" }), [ids[4]]);
    // failure times are t0 + 10, + 20, ... + 60: [after, before)
    assert.deepEqual(await list({ failedAfter: t0 + 20, failedBefore: t0 + 50 }), ids.slice(1, 4));
    assert.deepEqual(await list({ ids: [ids[5]!, "missing", ids[0]!], name: "b" }), [ids[5]]);
    const pageOfA = (cursor: string | null) =>
      store.listDead({ queue: "q", name: "a", limit: 2, cursor });
    const first = await pageOfA(null);
    assert.deepEqual(first.jobs.map((j) => j.id), [ids[0], ids[2]]);
    assert.equal(first.jobs[0]!.state, "dead");
    assert.equal(first.jobs[0]!.history.length, 1);
    const second = await pageOfA(first.nextCursor);
    assert.deepEqual(second.jobs.map((j) => j.id), [ids[4]]);
    assert.equal(second.nextCursor, null);
    assert.deepEqual(await list({ queue: "other" }), []);
  },

  async "a scan stops at its budget and its cursor resumes it, also among equal times"(ctx) {
    const store = await ctx.store();
    const names = Array.from({ length: DEAD_SCAN_BUDGET + 2 }, (_, i) => i === 1 ? "x" : "y");
    names.push("x");
    const ids = await deadJobs(ctx, store, names, undefined, 0); // all fail at the same time
    const first = await store.listDead({ queue: "q", name: "x" });
    assert.deepEqual(first.jobs.map((j) => j.id), [ids[1]]);
    assert.ok(first.nextCursor, "the budget ran out before the end");
    const second = await store.listDead({ queue: "q", name: "x", cursor: first.nextCursor });
    assert.deepEqual(second.jobs.map((j) => j.id), [ids.at(-1)]);
    assert.equal(second.nextCursor, null);
  },

  async "requeueDead by id resets attempts and puts the job at the end of its lane"(ctx) {
    const store = await ctx.store();
    const [dead] = await deadJobs(ctx, store, ["f"]);
    const waiting = newJobId();
    await store.enqueue([{
      id: waiting,
      name: "g",
      queue: "q",
      lane: "normal",
      payload: new Uint8Array(),
      runAt: 0,
      maxAttempts: 1,
    }]);
    assert.deepEqual(await store.requeueDead({ queue: "q", ids: [waiting, "missing"] }), {
      ids: [],
      nextCursor: null,
    });
    assert.deepEqual(await store.requeueDead({ queue: "q", ids: [dead!] }), {
      ids: [dead],
      nextCursor: null,
    });
    const job = await store.getJob(dead!);
    assert.equal(job!.state, "waiting");
    assert.equal(job!.attempts, 0);
    assert.equal(job!.finishedAt, null);
    assert.equal(job!.runAt, ctx.clock.now());
    assert.equal(job!.history.length, 1);
    assert.equal(JSON.parse(job!.error!).message, "boom");
    const counts = await store.counts("q");
    assert.equal(counts.states.dead, 0);
    assert.equal(counts.states.waiting, 2);
    const rs = await store.reserve({ ...W, count: 2 });
    assert.deepEqual(rs.map((r) => [r.id, r.attempt]), [[waiting, 1], [dead, 1]]);
    await store.complete([{ id: dead!, token: rs[1]!.token, result: null }]);
    assert.deepEqual((await store.getJob(dead!))!.history.map((h) => h.outcome), [
      "failed",
      "completed",
    ]);
  },

  async "requeueDead by filter moves every match, batch by batch"(ctx) {
    const store = await ctx.store();
    const names = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? "x" : "y"));
    const ids = await deadJobs(ctx, store, names);
    const moved = await drain((q) => store.requeueDead(q), { queue: "q", name: "x", limit: 4 });
    assert.deepEqual(moved, ids.filter((_, i) => names[i] === "x"));
    const counts = await store.counts("q");
    assert.equal(counts.states.dead, 20);
    assert.equal(counts.states.waiting, 10);
    assert.deepEqual(
      (await store.reserve({ ...W, count: 20 })).map((r) => r.id),
      moved,
    );
  },

  async "purgeDead deletes the matches, or every dead job of a queue"(ctx) {
    const store = await ctx.store();
    const ids = await deadJobs(
      ctx,
      store,
      ["a", "a", "a", "a"],
      (i) => JSON.stringify({ name: "Error", message: i < 2 ? "disk full" : "bad input" }),
    );
    const purged = await drain((q) => store.purgeDead(q), { queue: "q", errorContains: "disk" });
    assert.deepEqual(purged, ids.slice(0, 2));
    assert.equal(await store.getJob(ids[0]!), null);
    assert.equal((await store.counts("q")).states.dead, 2);
    assert.deepEqual(
      await drain((q) => store.purgeDead(q), { queue: "q", limit: 1 }),
      ids.slice(2),
    );
    assert.equal((await store.counts("q")).states.dead, 0);
    assert.deepEqual((await store.listDead({ queue: "q" })).jobs, []);
  },

  async "an id given twice is listed, requeued or purged once"(ctx) {
    const store = await ctx.store();
    const [a, b] = await deadJobs(ctx, store, ["f", "f"]);
    const listed = await store.listDead({ queue: "q", ids: [b!, a!, b!, "missing"] });
    assert.deepEqual(listed.jobs.map((j) => j.id), [b, a]);
    assert.deepEqual(await store.purgeDead({ queue: "q", ids: [a!, "missing", a!] }), {
      ids: [a],
      nextCursor: null,
    });
    assert.deepEqual((await store.requeueDead({ queue: "q", ids: [b!, b!] })).ids, [b]);
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.dead, counts.states.waiting], [0, 1]);
  },

  async "dead jobs are capped per queue by keepDead"(ctx) {
    const store = await ctx.store({ keepDead: 3 });
    const ids = await deadJobs(ctx, store, ["a", "a", "a", "a", "a"]);
    assert.equal((await store.counts("q")).states.dead, 3);
    assert.equal(await store.getJob(ids[1]!), null);
    assert.deepEqual((await store.listDead({ queue: "q" })).jobs.map((j) => j.id), ids.slice(2));
  },

  async "a job's own backoff travels from enqueue to its reservation and record"(ctx) {
    const store = await ctx.store();
    const backoff = '{"type":"fixed","delay":5}';
    const base = { name: "f", queue: "q", lane: "normal" as const, payload: new Uint8Array() };
    const [own, plain] = [newJobId(), newJobId()];
    await store.enqueue([
      { ...base, id: own, runAt: 0, maxAttempts: 2, backoff },
      { ...base, id: plain, runAt: 0, maxAttempts: 2 },
    ]);
    const rs = await store.reserve({ ...W, count: 2 });
    assert.deepEqual(rs.map((r) => [r.id, r.backoff]), [[own, backoff], [plain, null]]);
    assert.equal((await store.getJob(own))!.backoff, backoff);
    assert.equal((await store.getJob(plain))!.backoff, null);
  },

  async "dead-letter queries are checked"(ctx) {
    const store = await ctx.store();
    await assert.rejects(() => store.listDead({ queue: "q", limit: 0 }), RangeError);
    await assert.rejects(() => store.listDead({ queue: "q", cursor: "nope" }), RangeError);
    await assert.rejects(() => store.requeueDead({ queue: "q", failedAfter: 1.5 }), RangeError);
    await assert.rejects(() => store.purgeDead({} as DeadLetterQuery), TypeError);
    await assert.rejects(() => store.purgeDead({ queue: "q", ids: [""] }), TypeError);
  },
};
