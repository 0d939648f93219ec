/**
 * Store conformance cases of jobs: enqueue and reads, ids, FIFO, bulk, priority changes, delays,
 * counts, retention, listings and wake-ups. Part of the one store suite: `runStoreConformance` in
 * `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Lane, LANES } from "../job/lanes.ts";
import { Status } from "../job/status.ts";
import type { NewJob } from "./store.ts";
import { type ConformanceCases, dueIn, newJob, W } from "./_conformance.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | null): string | null => data && new TextDecoder().decode(data);

/** The cases. */
export const JOB_CASES: ConformanceCases = {
  async "enqueue stores a waiting job readable by getJob"(ctx) {
    const store = await ctx.store();
    const job = newJob({ payload: bytes('{"a":1}') });
    const [out] = await store.enqueue([job]);
    assert.deepEqual(out, { id: job.id, created: true, state: "waiting" });
    const got = await store.getJob(job.id);
    assert.ok(got);
    assert.equal(got.state, "waiting");
    assert.equal(got.name, "test-fn");
    assert.equal(got.queue, "q");
    assert.equal(got.lane, "normal");
    assert.equal(text(got.payload), '{"a":1}');
    assert.equal(got.attempts, 0);
    assert.equal(got.maxAttempts, 3);
    assert.equal(got.enqueuedAt, ctx.clock.now());
    assert.equal(got.runAt, ctx.clock.now());
    assert.equal(got.startedAt, null);
    assert.equal(got.finishedAt, null);
    assert.equal(await store.getJob("missing"), null);
    assert.deepEqual(await store.queues(), ["q"]);
  },
  async "binary payloads survive byte for byte"(ctx) {
    const store = await ctx.store();
    const payload = new Uint8Array(256).map((_, i) => i);
    const job = newJob({ payload });
    await store.enqueue([job]);
    assert.deepEqual((await store.getJob(job.id))!.payload, payload);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.deepEqual(r!.payload, payload);
    await store.complete([{ id: job.id, token: r!.token, result: payload }]);
    assert.deepEqual((await store.getJob(job.id))!.result, payload);
  },
  async "bytes given as views on a shared buffer are kept as bytes of their own"(ctx) {
    const store = await ctx.store();
    const shared = new Uint8Array(64).fill(9); // what allocBytes hands out: parts of one buffer
    const payload = shared.subarray(8, 12).fill(1);
    const result = shared.subarray(16, 20).fill(2);
    const job = newJob({ payload });
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1 });
    await store.complete([{ id: job.id, token: r!.token, result }]);
    shared.fill(0); // the buffer's other users write on
    const got = (await store.getJob(job.id))!;
    assert.deepEqual([...got.payload], [1, 1, 1, 1]);
    assert.deepEqual([...got.result!], [2, 2, 2, 2]);
    for (const kept of [got.payload, got.result!]) {
      assert.equal(kept.buffer.byteLength, kept.byteLength, "kept in a buffer of its own");
    }
  },
  async "same caller id twice gives one job"(ctx) {
    const store = await ctx.store();
    const first = await store.enqueue([newJob({ id: "order-42", payload: bytes("1") })]);
    const second = await store.enqueue([newJob({ id: "order-42", payload: bytes("2") })]);
    assert.equal(first[0]!.created, true);
    assert.deepEqual(second[0], { id: "order-42", created: false, state: "waiting" });
    const dup = await store.enqueue([newJob({ id: "x-1" }), newJob({ id: "x-1" })]);
    assert.deepEqual(dup.map((o) => o.created), [true, false]);
    assert.equal(text((await store.getJob("order-42"))!.payload), "1");
    assert.equal((await store.counts("q")).states.waiting, 2);
  },
  async "single jobs sharing a call, a group each: an id repeated in the call is stored once"(ctx) {
    // concurrent enqueue calls go to the store so, each job a group of its own
    const store = await ctx.store();
    const a = newJob({ payload: bytes("a1") });
    const b = newJob();
    const delayed = newJob({ delay: 60_000 });
    const outcomes = await store.enqueueGroups([
      [a],
      [b],
      [{ ...newJob({ payload: bytes("a2") }), id: a.id }],
      [delayed],
      [{ ...newJob(), id: delayed.id }], // a plain job named like the delayed one of this call
      [newJob({ id: b.id, delay: 60_000 })], // a job with options named like a plain one
    ]);
    assert.deepEqual(outcomes, [
      [{ id: a.id, created: true, state: "waiting" }],
      [{ id: b.id, created: true, state: "waiting" }],
      [{ id: a.id, created: false, state: "waiting" }],
      [{ id: delayed.id, created: true, state: "delayed" }],
      [{ id: delayed.id, created: false, state: "delayed" }],
      [{ id: b.id, created: false, state: "waiting" }],
    ]);
    assert.equal(text((await store.getJob(a.id))!.payload), "a1");
    // the call sent again (its reply lost), with a new job: only that one is stored
    const c = newJob();
    const again = await store.enqueueGroups([[a], [c], [b]]);
    assert.deepEqual(again.map((g) => (g as { created: boolean }[])[0]!.created), [
      false,
      true,
      false,
    ]);
    const { states } = await store.counts("q");
    assert.deepEqual([states.waiting, states.delayed], [3, 1]);
    const leased = await store.reserve({ ...W, count: 10 });
    assert.deepEqual(leased.map((r) => r.id), [a.id, b.id, c.id], "in the lane in call order");
  },
  async "FIFO within a lane"(ctx) {
    const store = await ctx.store();
    const jobs = Array.from({ length: 20 }, () => newJob());
    await store.enqueue(jobs.slice(0, 10));
    await store.enqueue(jobs.slice(10));
    const first = await store.reserve({ ...W, count: 7 });
    const rest = await store.reserve({ ...W, count: 100 });
    assert.deepEqual([...first, ...rest].map((r) => r.id), jobs.map((j) => j.id));
  },
  async "a bulk of 10,000 jobs is stored whole"(ctx) {
    const store = await ctx.store();
    const jobs = Array.from({ length: 10_000 }, (_, i) => newJob({ lane: LANES[i % 5]! }));
    const out = await store.enqueue(jobs);
    assert.equal(out.filter((o) => o.created).length, 10_000);
    const counts = await store.counts("q");
    assert.equal(counts.states.waiting, 10_000);
    for (const lane of LANES) assert.equal(counts.lanes[lane].waiting, 2_000);
  },
  async "changePriority moves a waiting job to the back of its new lane"(ctx) {
    const store = await ctx.store();
    await store.configureLanes("q", { strict: true });
    const a = newJob({ lane: "high" });
    const b = newJob({ lane: "low" });
    const c = newJob({ lane: "high" });
    await store.enqueue([a, b, c]);
    assert.deepEqual(await store.changePriority(b.id, "high"), {
      status: Status.OK,
      state: "waiting",
    });
    assert.equal((await store.getJob(b.id))!.lane, "high");
    const counts = await store.counts("q");
    assert.equal(counts.lanes.high.waiting, 3);
    assert.equal(counts.lanes.low.waiting, 0);
    assert.deepEqual(await store.changePriority(b.id, "high"), {
      status: Status.OK,
      state: "waiting",
    }); // the same lane again: nothing moves
    const got = await store.reserve({ ...W, count: 3 });
    assert.deepEqual(got.map((r) => r.id), [a.id, c.id, b.id]);
    assert.deepEqual(await store.changePriority(a.id, "critical"), {
      status: Status.WRONG_STATE,
      state: "active",
    });
    await store.complete([{ id: a.id, token: got[0]!.token, result: null }]);
    assert.deepEqual(await store.changePriority(a.id, "critical"), {
      status: Status.WRONG_STATE,
      state: "completed",
    });
    assert.deepEqual(await store.changePriority("nope", "critical"), { status: Status.NOT_FOUND });
  },
  async "changePriority of a delayed job takes effect when it is due"(ctx) {
    const store = await ctx.store();
    const job = newJob({ lane: "batch", runAt: ctx.clock.now() + 5_000 });
    await store.enqueue([job]);
    assert.equal((await store.changePriority(job.id, "critical")).status, Status.OK);
    assert.equal((await store.counts("q")).lanes.critical.delayed, 1);
    ctx.clock.advance(5_000);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.equal(r!.lane, "critical");
  },
  async "delayed jobs wait for their due time"(ctx) {
    const store = await ctx.store();
    const later = newJob({ runAt: ctx.clock.now() + 2_000 });
    const sooner = newJob({ runAt: ctx.clock.now() + 1_000 });
    const [out] = await store.enqueue([later, sooner]);
    assert.equal(out!.state, "delayed");
    assert.equal(await dueIn(store), 1_000);
    ctx.clock.advance(400);
    assert.equal(await dueIn(store), 600);
    assert.deepEqual(await store.reserve({ ...W, count: 10 }), []);
    ctx.clock.advance(600);
    assert.deepEqual((await store.reserve({ ...W, count: 10 })).map((r) => r.id), [sooner.id]);
    assert.equal(await dueIn(store), 1_000);
    ctx.clock.advance(1_000);
    assert.equal(await store.promoteDue(["q"]), 1);
    assert.equal((await store.counts("q")).states.waiting, 1);
    assert.equal(await dueIn(store), null);
  },
  async "counts per lane and state"(ctx) {
    const store = await ctx.store();
    await store.enqueue([
      newJob({ lane: "critical" }),
      newJob({ lane: "critical" }),
      newJob({ lane: "low", runAt: ctx.clock.now() + 1_000 }),
      newJob({ lane: "batch" }),
    ]);
    await store.configureLanes("q", { strict: true });
    const [r] = await store.reserve({ ...W, count: 1 });
    await store.complete([{ id: r!.id, token: r!.token, result: null }]);
    const counts = await store.counts("q");
    assert.equal(counts.queue, "q");
    assert.equal(counts.lanes.critical.completed, 1);
    assert.equal(counts.lanes.critical.waiting, 1);
    assert.equal(counts.lanes.low.delayed, 1);
    assert.equal(counts.lanes.batch.waiting, 1);
    assert.deepEqual(counts.states, {
      waiting: 2,
      delayed: 1,
      blocked: 0,
      active: 0,
      completed: 1,
      dead: 0,
      cancelled: 0,
    });
    const empty = await store.counts("never-used");
    assert.equal(empty.states.waiting, 0);
    assert.equal(empty.paused, false);
  },
  async "retention keeps the newest finished jobs"(ctx) {
    const store = await ctx.store({ keepFinished: 3 });
    const jobs = Array.from({ length: 5 }, () => newJob());
    await store.enqueue(jobs);
    for (const r of await store.reserve({ ...W, count: 5 })) {
      ctx.clock.advance(10);
      await store.complete([{ id: r.id, token: r.token, result: null }]);
    }
    assert.equal((await store.counts("q")).states.completed, 3);
    assert.equal(await store.getJob(jobs[0]!.id), null);
    assert.equal(await store.getJob(jobs[1]!.id), null);
    assert.equal((await store.getJob(jobs[4]!.id))!.state, "completed");
  },
  async "listJobs pages through a state"(ctx) {
    const store = await ctx.store();
    const jobs: NewJob[] = [];
    for (const lane of ["low", "critical"] as Lane[]) {
      for (let i = 0; i < 3; i++) jobs.push(newJob({ lane }));
    }
    await store.enqueue(jobs);
    const first = await store.listJobs({ queue: "q", state: "waiting", limit: 4 });
    assert.equal(first.jobs.length, 4);
    assert.ok(first.nextCursor);
    const second = await store.listJobs({
      queue: "q",
      state: "waiting",
      limit: 4,
      cursor: first.nextCursor,
    });
    assert.equal(second.nextCursor, null);
    const ids = [...first.jobs, ...second.jobs].map((j) => j.id);
    assert.deepEqual(ids, [...jobs.slice(3), ...jobs.slice(0, 3)].map((j) => j.id));
    const low = await store.listJobs({ queue: "q", state: "waiting", lane: "low" });
    assert.deepEqual(low.jobs.map((j) => j.id), jobs.slice(0, 3).map((j) => j.id));
    assert.deepEqual((await store.listJobs({ queue: "q", state: "dead" })).jobs, []);
    await assert.rejects(
      () => store.listJobs({ queue: "q", state: "waiting", cursor: "-1" }),
      RangeError,
    );
    await assert.rejects(
      () => store.listJobs({ queue: "q", state: "waiting", cursor: "x" }),
      RangeError,
    );
    await assert.rejects(
      () => store.listJobs({ queue: "q", state: "waiting", limit: 0 }),
      RangeError,
    );
  },
  async "waitForWork wakes on enqueue and times out otherwise"(ctx) {
    const store = await ctx.store();
    // the queue exists; its wake is heard here, not by the timed wait below (on a cluster a
    // publish crosses the bus, and could reach a subscription made after the enqueue returned)
    const existing = store.waitForWork(["q"], 10_000);
    await ctx.listening(store, ["wake:q"]);
    await store.enqueue([newJob()]);
    await existing;
    const started = performance.now();
    await store.waitForWork(["q"], 50);
    assert.ok(performance.now() - started >= 40, "returned before its timeout with no work");
    const woke = store.waitForWork(["q"], 10_000).then(() => "woke");
    await ctx.listening(store, ["wake:q"]);
    await store.enqueue([newJob()]);
    const timeout = new Promise((r) => setTimeout(() => r("timeout"), 5_000));
    assert.equal(await Promise.race([woke, timeout]), "woke");
    const abort = new AbortController();
    const aborted = store.waitForWork(["q"], 10_000, abort.signal).then(() => "aborted");
    abort.abort();
    assert.equal(await Promise.race([aborted, timeout]), "aborted");
  },
  // --- prefetch and work stealing -----------------------------------------------------------
};
