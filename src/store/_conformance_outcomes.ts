/**
 * Store conformance cases of leases and outcomes: reserve, complete, fail, release, extend,
 * cancel, stale tokens and expired leases. Part of the one store suite: `runStoreConformance` in
 * `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Status } from "../job/status.ts";
import { type ConformanceCases, newJob, W } from "./_conformance.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | null): string | null => data && new TextDecoder().decode(data);

/** The cases. */
export const OUTCOME_CASES: ConformanceCases = {
  async "reserve leases: token, deadline, attempt, active state"(ctx) {
    const store = await ctx.store();
    const job = newJob();
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.ok(r);
    assert.equal(r.attempt, 1);
    assert.equal(r.leaseDeadline, ctx.clock.now() + 30_000);
    assert.ok(r.token.length >= 16);
    const got = await store.getJob(job.id);
    assert.equal(got!.state, "active");
    assert.equal(got!.worker, "w1");
    assert.equal(got!.startedAt, ctx.clock.now());
    assert.equal(got!.leaseDeadline, ctx.clock.now() + 30_000);
    assert.deepEqual(await store.reserve({ ...W, count: 1 }), []);
  },
  async "complete stores the result and finishes the job"(ctx) {
    const store = await ctx.store();
    const jobs = [newJob(), newJob()];
    await store.enqueue(jobs);
    const rs = await store.reserve({ ...W, count: 2 });
    ctx.clock.advance(50);
    const statuses = await store.complete(
      rs.map((r) => ({ id: r.id, token: r.token, result: bytes(`"done ${r.id}"`) })),
    );
    assert.deepEqual(statuses, [Status.OK, Status.OK]);
    const got = await store.getJob(jobs[0]!.id);
    assert.equal(got!.state, "completed");
    assert.equal(text(got!.result), `"done ${jobs[0]!.id}"`);
    assert.equal(got!.finishedAt, ctx.clock.now());
    assert.equal(got!.leaseDeadline, null);
    // the same call delivered twice (a client resend) is harmless
    assert.deepEqual(
      await store.complete([{ id: rs[0]!.id, token: rs[0]!.token, result: null }]),
      [Status.OK],
    );
    assert.equal((await store.counts("q")).states.completed, 2);
  },
  async "a job completed twice in one call, retention 0: the repeat is OK, a stranger's token refused"(
    ctx,
  ) {
    const store = await ctx.store({ keepFinished: 0 });
    const job = newJob();
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1 });
    const item = { id: r!.id, token: r!.token, result: null };
    assert.deepEqual(
      await store.complete([item, { ...item, token: "not-the-lease" }, item]),
      [Status.OK, Status.LEASE_LOST, Status.OK],
    );
    assert.equal(await store.getJob(job.id), null); // gone: retention 0
    const counts = await store.counts("q");
    assert.deepEqual([counts.states.active, counts.states.completed], [0, 0]);
    // delivered again later, the record is gone: NOT_FOUND
    assert.deepEqual(await store.complete([item]), [Status.NOT_FOUND]);
  },
  async "a stale lease token cannot complete or fail a job"(ctx) {
    const store = await ctx.store();
    const job = newJob();
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.deepEqual(await store.complete([{ id: job.id, token: "forged", result: null }]), [
      Status.LEASE_LOST,
    ]);
    assert.equal(
      (await store.fail([{ id: job.id, token: "forged", error: "{}", retryDelay: null }]))[0]!
        .status,
      Status.LEASE_LOST,
    );
    assert.deepEqual(await store.extendLeases([{ id: job.id, token: "forged" }], 1_000), [
      Status.LEASE_LOST,
    ]);
    const got = await store.getJob(job.id);
    assert.equal(got!.state, "active");
    assert.equal(got!.result, null);
    assert.equal(got!.error, null);
    assert.deepEqual(await store.complete([{ id: "missing", token: r!.token, result: null }]), [
      Status.NOT_FOUND,
    ]);
  },
  async "an expired lease returns the job to its lane with a stall counted"(ctx) {
    const store = await ctx.store();
    await store.configureLanes("q", { strict: true });
    const job = newJob({ lane: "high" });
    const other = newJob({ lane: "high" });
    await store.enqueue([job]);
    const [first] = await store.reserve({ ...W, count: 1, leaseMs: 1_000 });
    await store.enqueue([other]);
    ctx.clock.advance(999);
    assert.deepEqual(await store.reclaimExpired(), { requeued: [], dead: [] });
    ctx.clock.advance(1);
    assert.deepEqual(await store.reclaimExpired(), { requeued: [job.id], dead: [] });
    const got = await store.getJob(job.id);
    assert.equal(got!.state, "waiting");
    assert.equal(got!.stalls, 1);
    assert.equal(got!.lane, "high");
    // back at its old place: ahead of the job enqueued after it
    const again = await store.reserve({ ...W, worker: "w2", count: 2 });
    assert.deepEqual(again.map((r) => r.id), [job.id, other.id]);
    assert.equal(again[0]!.attempt, 2);
    assert.equal(again[0]!.stalls, 1);
    // the first worker's token is stale now
    assert.deepEqual(await store.complete([{ id: job.id, token: first!.token, result: null }]), [
      Status.LEASE_LOST,
    ]);
    assert.equal((await store.getJob(job.id))!.worker, "w2");
  },
  async "an expired lease on the final attempt dead-letters the job"(ctx) {
    const store = await ctx.store();
    const job = newJob({ maxAttempts: 1 });
    await store.enqueue([job]);
    await store.reserve({ ...W, count: 1, leaseMs: 100 });
    ctx.clock.advance(100);
    assert.deepEqual(await store.reclaimExpired(), { requeued: [], dead: [job.id] });
    const got = await store.getJob(job.id);
    assert.equal(got!.state, "dead");
    assert.equal(got!.attempts, 1);
    assert.equal(JSON.parse(got!.error!).name, "StalledError");
  },
  async "release hands a job back without spending its attempt"(ctx) {
    const store = await ctx.store();
    await store.configureLanes("q", { strict: true });
    const [a, b] = [newJob(), newJob()];
    await store.enqueue([a, b]);
    const [ra] = await store.reserve({ ...W, count: 1 });
    assert.deepEqual(await store.release([{ id: a.id, token: ra!.token }]), [Status.OK]);
    assert.deepEqual(await store.release([{ id: a.id, token: ra!.token }]), [Status.OK]); // resent
    let got = await store.getJob(a.id);
    assert.equal(got!.state, "waiting");
    assert.equal(got!.attempts, 0);
    assert.equal(got!.releases, 1);
    assert.equal((await store.counts("q")).states.active, 0);
    // back at its old place, ahead of b
    const again = await store.reserve({ ...W, count: 2 });
    assert.deepEqual(again.map((r) => [r.id, r.attempt, r.releases]), [[a.id, 1, 1], [b.id, 1, 0]]);
    // a delay makes it delayed
    const later = ctx.clock.now() + 5_000;
    assert.deepEqual(await store.release([{ id: a.id, token: again[0]!.token, delay: 5_000 }]), [
      Status.OK,
    ]);
    got = await store.getJob(a.id);
    assert.equal(got!.state, "delayed");
    assert.equal(got!.runAt, later);
    assert.equal(got!.releases, 2);
    // stale and unknown tokens change nothing
    assert.deepEqual(
      await store.release([{ id: b.id, token: "forged" }, { id: "nope", token: "x" }]),
      [
        Status.LEASE_LOST,
        Status.NOT_FOUND,
      ],
    );
    assert.equal((await store.getJob(b.id))!.state, "active");
    // a job whose cancellation was requested ends cancelled
    await store.cancel(b.id);
    assert.deepEqual(await store.release([{ id: b.id, token: again[1]!.token }]), [Status.OK]);
    assert.equal((await store.getJob(b.id))!.state, "cancelled");
  },
  async "a reclaimed job refuses every call of its old lease holder"(ctx) {
    const store = await ctx.store();
    const job = newJob();
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1, leaseMs: 10 });
    ctx.clock.advance(10);
    await store.reclaimExpired();
    const proof = { id: job.id, token: r!.token };
    assert.equal(
      (await store.fail([{ ...proof, error: "{}", retryDelay: null }]))[0]!.status,
      Status.LEASE_LOST,
    );
    assert.deepEqual(await store.release([proof]), [Status.LEASE_LOST]);
    assert.deepEqual(await store.complete([{ ...proof, result: null }]), [Status.LEASE_LOST]);
    assert.equal((await store.getJob(job.id))!.state, "waiting");
  },
  async "extendLeases renews many leases in one call"(ctx) {
    const store = await ctx.store();
    await store.enqueue(Array.from({ length: 50 }, () => newJob()));
    const rs = await store.reserve({ ...W, count: 50, leaseMs: 1_000 });
    ctx.clock.advance(900);
    const statuses = await store.extendLeases(rs.map((r) => ({ id: r.id, token: r.token })), 1_000);
    assert.deepEqual(statuses, rs.map(() => Status.OK));
    ctx.clock.advance(900);
    assert.deepEqual(await store.reclaimExpired(), { requeued: [], dead: [] });
    assert.equal((await store.getJob(rs[0]!.id))!.leaseDeadline, ctx.clock.now() + 100);
    ctx.clock.advance(100);
    assert.equal((await store.reclaimExpired()).requeued.length, 50);
  },
  async "fail retries later, retries now, or dead-letters"(ctx) {
    const store = await ctx.store();
    const [a, b, c] = [newJob(), newJob(), newJob()];
    await store.enqueue([a!, b!, c!]);
    const rs = await store.reserve({ ...W, count: 3 });
    const error = JSON.stringify({ name: "Error", message: "boom" });
    const out = await store.fail([
      { id: rs[0]!.id, token: rs[0]!.token, error, retryDelay: 500 },
      { id: rs[1]!.id, token: rs[1]!.token, error, retryDelay: 0 },
      { id: rs[2]!.id, token: rs[2]!.token, error, retryDelay: null },
    ]);
    assert.deepEqual(out, [
      { status: Status.OK, state: "delayed" },
      { status: Status.OK, state: "waiting" },
      { status: Status.OK, state: "dead" },
    ]);
    const dead = await store.getJob(c!.id);
    assert.equal(JSON.parse(dead!.error!).message, "boom");
    assert.equal(dead!.finishedAt, ctx.clock.now());
    assert.deepEqual((await store.reserve({ ...W, count: 5 })).map((r) => [r.id, r.attempt]), [
      [b!.id, 2],
    ]);
    ctx.clock.advance(500);
    assert.deepEqual((await store.reserve({ ...W, count: 5 })).map((r) => [r.id, r.attempt]), [
      [a!.id, 2],
    ]);
    const counts = await store.counts("q");
    assert.equal(counts.states.dead, 1);
    assert.equal(counts.states.active, 2);
  },
  async "cancel: waiting and delayed at once, active flagged, cancelled again OK, finished refused"(
    ctx,
  ) {
    const store = await ctx.store();
    const [w, d, act] = [newJob(), newJob({ runAt: ctx.clock.now() + 10_000 }), newJob()];
    await store.enqueue([act!]);
    const [r] = await store.reserve({ ...W, count: 1 });
    await store.enqueue([w!, d!]);
    assert.deepEqual(await store.cancel(w!.id), { status: Status.OK, state: "cancelled" });
    assert.deepEqual(await store.cancel(d!.id), { status: Status.OK, state: "cancelled" });
    assert.deepEqual(await store.cancel(act!.id), {
      status: Status.CANCEL_REQUESTED,
      state: "active",
    });
    assert.deepEqual(await store.extendLeases([{ id: r!.id, token: r!.token }], 1_000), [
      Status.CANCEL_REQUESTED,
    ]);
    const failed = await store.fail([{
      id: r!.id,
      token: r!.token,
      error: '{"name":"AbortError","message":"cancelled"}',
      retryDelay: 0,
    }]);
    assert.deepEqual(failed, [{ status: Status.OK, state: "cancelled" }]);
    assert.deepEqual(await store.cancel(w!.id), { status: Status.OK, state: "cancelled" });
    assert.deepEqual(await store.cancel("missing"), { status: Status.NOT_FOUND });
    const counts = await store.counts("q");
    assert.equal(counts.states.cancelled, 3);
    const done = newJob();
    await store.enqueue([done]);
    const [rd] = await store.reserve({ ...W, count: 1 });
    await store.complete([{ id: done.id, token: rd!.token, result: null }]);
    assert.deepEqual(await store.cancel(done.id), {
      status: Status.WRONG_STATE,
      state: "completed",
    });
    assert.equal(counts.states.waiting + counts.states.delayed + counts.states.active, 0);
    assert.deepEqual(await store.reserve({ ...W, count: 5 }), []);
  },
};
