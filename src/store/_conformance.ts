/**
 * The store conformance suite: one set of behaviours, run against every `Store`
 * implementation (`tests/store_memory_test.ts`, `tests/store_redis_test.ts`). A behaviour that
 * holds in one store and not the other is a bug.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ManualClock } from "../job/clock.ts";
import { newJobId } from "../job/ids.ts";
import { type Lane, LANES } from "../job/lanes.ts";
import { Status } from "../job/status.ts";
import type { NewJob, RetentionConfig, Store } from "./store.ts";
import { FAILURE_CASES } from "./_conformance_failures.ts";
import { LEASE_CASES } from "./_conformance_leases.ts";
import { GRAPH_CASES } from "./_conformance_graph.ts";
import { UNIQUE_CASES } from "./_conformance_unique.ts";
import { OBSERVE_CASES } from "./_conformance_observe.ts";
import { LIMIT_CASES } from "./_conformance_limits.ts";
import { RESCHEDULE_CASES } from "./_conformance_reschedule.ts";
import { SCHEDULE_CASES } from "./_conformance_schedules.ts";

/**
 * Builds a fresh, empty store on `clock` for one test; `close()` must free it. `listening`, when
 * given, resolves once a message published now on the store's channels `names` reaches its
 * listeners (`wake:<queue>` for waiters, `cancel:<node>` for cancellation listeners), for stores
 * that subscribe in the background; without it that is taken to hold at once.
 */
export type StoreFactory =
  & ((
    options: { clock: ManualClock; retention?: Partial<RetentionConfig>; events?: number },
  ) => Promise<Store>)
  & { listening?: (store: Store, names: readonly string[]) => Promise<void> };

/** One conformance case: a name and a body run against a fresh context. */
export type ConformanceCases = Record<string, (ctx: CaseContext) => Promise<void>>;

/** Registers every store conformance case with `Deno.test`, prefixed with `label`. */
export function runStoreConformance(label: string, factory: StoreFactory): void {
  runCases(label, factory, CASES);
  runCases(label, factory, FAILURE_CASES);
  runCases(label, factory, LEASE_CASES);
  runCases(label, factory, GRAPH_CASES);
  runCases(label, factory, UNIQUE_CASES);
  runCases(label, factory, OBSERVE_CASES);
  runCases(label, factory, LIMIT_CASES);
  runCases(label, factory, RESCHEDULE_CASES);
  runCases(label, factory, SCHEDULE_CASES);
}

/** Registers `cases` with `Deno.test` against stores made by `factory`. */
export function runCases(label: string, factory: StoreFactory, cases: ConformanceCases): void {
  for (const [name, body] of Object.entries(cases)) {
    Deno.test({
      name: `${label}: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const clock = new ManualClock();
        const ctx = new CaseContext(clock, factory);
        try {
          await body(ctx);
        } finally {
          await ctx.closeAll();
        }
      },
    });
  }
}

/** What a case gets: the fake clock and a way to make stores on it (closed after the case). */
export class CaseContext {
  /** The clock every store of this case reads. */
  readonly clock: ManualClock;
  #factory: StoreFactory;
  #stores: Store[] = [];

  /** Makes stores with `factory` on `clock`. */
  constructor(clock: ManualClock, factory: StoreFactory) {
    this.clock = clock;
    this.#factory = factory;
  }

  /** A fresh empty store on this case's clock (keeping about `events` events when given). */
  async store(retention?: Partial<RetentionConfig>, events?: number): Promise<Store> {
    const store = await this.#factory({
      clock: this.clock,
      ...(retention ? { retention } : {}),
      ...(events === undefined ? {} : { events }),
    });
    this.#stores.push(store);
    return store;
  }

  /** Resolves once `store`'s listeners on channels `names` would hear (see `StoreFactory`). */
  async listening(store: Store, names: readonly string[]): Promise<void> {
    await this.#factory.listening?.(store, names);
  }

  /** Closes every store made for this case. */
  async closeAll(): Promise<void> {
    for (const store of this.#stores) await store.close();
  }
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | null): string | null => data && new TextDecoder().decode(data);

/** A job to enqueue in a case: function "test-fn", queue "q", lane normal, 3 attempts. */
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: newJobId(),
    name: "test-fn",
    queue: "q",
    lane: "normal",
    payload: bytes("{}"),
    maxAttempts: 3,
    ...overrides,
  };
}

/** When the next delayed job (or limit) of queue "q" is due, as worker "w1" asks. */
export async function dueIn(store: Store): Promise<number | null> {
  return (await store.idleWait(["q"], "w1")).dueIn;
}

/** The reserve request of the cases' worker "w1" on queue "q". */
export const W = { worker: "w1", queues: ["q"], leaseMs: 30_000 };

/** A node record of the cases. */
export const NODE = {
  id: "n",
  host: "host-1",
  pid: 1,
  queues: ["q"],
  concurrency: 4,
  version: "0.1.0",
  startedAt: 0,
};

const CASES: ConformanceCases = {
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

  async "weighted fair: 3,100 dispatches split 16:8:4:2:1"(ctx) {
    const store = await ctx.store();
    for (const lane of LANES) {
      await store.enqueue(Array.from({ length: 1_700 }, () => newJob({ lane })));
    }
    const served: Record<string, number> = {};
    for (let i = 0; i < 31; i++) {
      for (const r of await store.reserve({ ...W, count: 100 })) {
        served[r.lane] = (served[r.lane] ?? 0) + 1;
      }
    }
    const expected = { critical: 1600, high: 800, normal: 400, low: 200, batch: 100 };
    for (const lane of LANES) {
      const got = served[lane] ?? 0;
      assert.ok(
        Math.abs(got - expected[lane]) <= expected[lane] * 0.02,
        `lane ${lane}: ${got} dispatches, expected ${expected[lane]} +/- 2% (${
          JSON.stringify(served)
        })`,
      );
    }
  },

  async "weights are configurable per queue"(ctx) {
    const store = await ctx.store();
    const config = await store.configureLanes("q", { weights: { critical: 1, batch: 1 } });
    assert.equal(config.weights.critical, 1);
    assert.equal(config.weights.high, 8);
    assert.deepEqual((await store.getLaneConfig("q")).weights, config.weights);
    await store.enqueue(Array.from({ length: 200 }, () => newJob({ lane: "critical" })));
    await store.enqueue(Array.from({ length: 200 }, () => newJob({ lane: "batch" })));
    const got = await store.reserve({ ...W, count: 100 });
    assert.equal(got.filter((r) => r.lane === "critical").length, 50);
    assert.equal(got.filter((r) => r.lane === "batch").length, 50);
    await assert.rejects(() => store.configureLanes("q", { weights: { high: 0 } }), RangeError);
  },

  async "strict mode serves lanes strictly"(ctx) {
    const store = await ctx.store();
    await store.configureLanes("q", { strict: true });
    const jobs = [...LANES].reverse().flatMap((lane) =>
      Array.from({ length: 5 }, () => newJob({ lane }))
    );
    await store.enqueue(jobs);
    const got = await store.reserve({ ...W, count: 25 });
    const order = LANES.flatMap((lane) => jobs.filter((j) => j.lane === lane).map((j) => j.id));
    assert.deepEqual(got.map((r) => r.id), order);
  },

  async "aging lets an old batch job through a permanent critical backlog"(ctx) {
    const store = await ctx.store();
    await store.configureLanes("q", { strict: true, agingMs: 1_000 });
    const old = newJob({ lane: "batch" });
    await store.enqueue([old]);
    await store.enqueue(Array.from({ length: 50 }, () => newJob({ lane: "critical" })));
    const enqueuedAt = ctx.clock.now();
    let servedAfter = -1;
    for (let step = 0; step < 40 && servedAfter < 0; step++) {
      const [r] = await store.reserve({ ...W, count: 1 });
      if (r!.id === old.id) servedAfter = ctx.clock.now() - enqueuedAt;
      else await store.enqueue([newJob({ lane: "critical" })]); // the backlog never drains
      ctx.clock.advance(100);
    }
    assert.ok(servedAfter >= 1_000, `served before its age passed the bound (${servedAfter} ms)`);
    assert.ok(servedAfter <= 1_000, `aged batch job waited ${servedAfter} ms, bound is 1000 ms`);
    // without aging, strict priority starves it
    await store.configureLanes("q", { agingMs: null });
    await store.enqueue([newJob({ lane: "batch" })]);
    ctx.clock.advance(10_000);
    const next = await store.reserve({ ...W, count: 5 });
    assert.ok(next.every((r) => r.lane === "critical"));
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

  async "paused queues dispatch nothing; resumed ones continue in order"(ctx) {
    const store = await ctx.store();
    const jobs = Array.from({ length: 6 }, () => newJob());
    await store.enqueue(jobs.slice(0, 3));
    await store.pause("q");
    await store.enqueue(jobs.slice(3));
    assert.deepEqual(await store.reserve({ ...W, count: 10 }), []);
    assert.equal((await store.counts("q")).paused, true);
    await store.resume("q");
    assert.equal((await store.counts("q")).paused, false);
    assert.deepEqual(
      (await store.reserve({ ...W, count: 10 })).map((r) => r.id),
      jobs.map((j) => j.id),
    );
  },

  async "lowerLaneLimit keeps started slots for the critical and high lanes"(ctx) {
    const store = await ctx.store();
    const normal = Array.from({ length: 5 }, () => newJob({ lane: "normal" }));
    const critical = [newJob({ lane: "critical" }), newJob({ lane: "high" })];
    await store.enqueue([...normal, ...critical]);
    const got = await store.reserve({ ...W, count: 4, lowerLaneLimit: 1, prefetch: 2 });
    const started = got.filter((r) => r.started);
    assert.equal(started.length, 3, "a lower lane took a kept slot");
    assert.deepEqual(started.map((r) => r.lane).sort(), ["critical", "high", "normal"]);
    assert.deepEqual(got.filter((r) => !r.started).map((r) => r.lane), ["normal", "normal"]);
    assert.deepEqual(
      (await store.reserve({ ...W, count: 5, lowerLaneLimit: 0 })).map((r) => r.lane),
      [],
    );
    assert.equal((await store.reserve({ ...W, count: 5 })).length, 2);
  },

  async "reserve spans queues in the order given"(ctx) {
    const store = await ctx.store();
    const a = newJob({ queue: "a" });
    const b = [newJob({ queue: "b" }), newJob({ queue: "b" })];
    await store.enqueue([a, ...b]);
    const got = await store.reserve({ ...W, queues: ["b", "a", "unknown"], count: 10 });
    assert.deepEqual(got.map((r) => r.id), [b[0]!.id, b[1]!.id, a.id]);
    assert.deepEqual(await store.queues(), ["a", "b"]);
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
    await store.enqueue([newJob()]); // the queue exists
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

  async "reserve with prefetch leases extra jobs unstarted; start marks them started"(ctx) {
    const store = await ctx.store();
    const jobs = Array.from({ length: 6 }, () => newJob());
    await store.enqueue(jobs);
    const rs = await store.reserve({ ...W, count: 2, prefetch: 3 });
    assert.deepEqual(rs.map((r) => r.id), jobs.slice(0, 5).map((j) => j.id));
    assert.deepEqual(rs.map((r) => r.started), [true, true, false, false, false]);
    assert.deepEqual(rs.map((r) => r.attempt), [1, 1, 1, 1, 1]);
    assert.equal(new Set(rs.map((r) => r.token)).size, 5);
    assert.equal((await store.counts("q")).states.active, 5);
    const reservedAt = ctx.clock.now();
    ctx.clock.advance(10);
    const proof = (i: number) => ({ id: rs[i]!.id, token: rs[i]!.token });
    assert.deepEqual(
      await store.start([proof(2), proof(0), { id: "nope", token: "x" }, {
        ...proof(3),
        token: "x",
      }]),
      [Status.OK, Status.OK, Status.NOT_FOUND, Status.LEASE_LOST],
    );
    assert.equal((await store.getJob(rs[2]!.id))!.startedAt, ctx.clock.now());
    assert.equal((await store.getJob(rs[0]!.id))!.startedAt, reservedAt);
    assert.deepEqual(await store.start([proof(2)]), [Status.OK]); // again: harmless
    // started jobs are never stolen: two stay prefetched, and half of them (1) go
    const stolen = await store.steal({ worker: "w2", queues: ["q"], count: 10, leaseMs: 1_000 });
    assert.deepEqual(stolen.map((r) => r.id), [rs[3]!.id]);
    assert.deepEqual(await store.start([proof(3), proof(4)]), [Status.LEASE_LOST, Status.OK]);
    assert.deepEqual(await store.steal({ worker: "w2", queues: ["q"], count: 10, leaseMs: 1 }), []);
    await store.complete([{ ...proof(4), result: null }]);
    assert.deepEqual(await store.start([proof(4)]), [Status.LEASE_LOST]); // no longer active
  },

  async "steal takes up to half, rounded up, from the busiest other node, earliest first"(ctx) {
    const store = await ctx.store();
    await store.enqueue(Array.from({ length: 20 }, () => newJob()));
    const a = await store.reserve({ ...W, worker: "a", count: 1, prefetch: 5 });
    const b = await store.reserve({ ...W, worker: "b", count: 0, prefetch: 2 });
    await store.reserve({ ...W, worker: "t", count: 0, prefetch: 7 }); // the thief's own
    ctx.clock.advance(100);
    const steal = (count: number) =>
      store.steal({ worker: "t", queues: ["q"], count, leaseMs: 5_000 });
    const first = await steal(10);
    assert.deepEqual(first.map((r) => r.id), a.slice(1, 4).map((r) => r.id));
    for (const [i, r] of first.entries()) {
      assert.equal(r.started, true);
      assert.equal(r.attempt, 1); // the prefetched attempt never started: not counted again
      assert.equal(r.startedAt, ctx.clock.now());
      assert.equal(r.leaseDeadline, ctx.clock.now() + 5_000);
      assert.notEqual(r.token, a[i + 1]!.token);
      const got = await store.getJob(r.id);
      assert.equal(got!.worker, "t");
      assert.equal(got!.attempts, 1);
      assert.equal(got!.leaseDeadline, ctx.clock.now() + 5_000);
    }
    // the victim's old lease is void, the thief's works
    const old = { id: a[1]!.id, token: a[1]!.token };
    assert.deepEqual(await store.complete([{ ...old, result: null }]), [Status.LEASE_LOST]);
    assert.equal(
      (await store.fail([{ ...old, error: "{}", retryDelay: null }]))[0]!.status,
      Status.LEASE_LOST,
    );
    assert.deepEqual(await store.extendLeases([old], 1_000), [Status.LEASE_LOST]);
    assert.deepEqual(await store.release([old]), [Status.LEASE_LOST]);
    assert.deepEqual(await store.start([old]), [Status.LEASE_LOST]);
    assert.deepEqual(
      await store.extendLeases([{ id: first[0]!.id, token: first[0]!.token }], 1_000),
      [Status.OK],
    );
    assert.equal((await store.getJob(a[1]!.id))!.state, "active");
    // a and b hold 2 each: the tie goes to the lower id; then b holds the most
    assert.deepEqual((await steal(10)).map((r) => r.id), [a[4]!.id]);
    assert.deepEqual((await steal(1)).map((r) => r.id), [b[0]!.id]);
    assert.deepEqual((await steal(1)).map((r) => r.id), [a[5]!.id]);
    assert.deepEqual((await steal(5)).map((r) => r.id), [b[1]!.id]);
    // only the thief holds prefetched jobs now, and a thief never robs itself
    assert.deepEqual(await steal(10), []);
    assert.equal((await store.getJob(a[0]!.id))!.worker, "a"); // started: never stolen
  },

  async "steal only takes jobs of the thief's queues"(ctx) {
    const store = await ctx.store();
    const [x1, x2, y1] = [newJob({ queue: "x" }), newJob({ queue: "x" }), newJob({ queue: "y" })];
    await store.enqueue([x1, x2, y1]);
    await store.reserve({ ...W, worker: "a", queues: ["x", "y"], count: 0, prefetch: 3 });
    await store.enqueue(Array.from({ length: 4 }, () => newJob({ queue: "x" })));
    await store.reserve({ ...W, worker: "c", queues: ["x"], count: 0, prefetch: 4 });
    // c holds the most prefetched jobs, but none of the thief's queues
    const queues = ["y", "z"];
    const stolen = await store.steal({ worker: "t", queues, count: 10, leaseMs: 1_000 });
    assert.deepEqual(stolen.map((r) => [r.id, r.queue]), [[y1.id, "y"]]);
    assert.deepEqual(await store.steal({ worker: "t", queues, count: 10, leaseMs: 1_000 }), []);
    assert.deepEqual(await store.steal({ worker: "t", queues: ["x"], count: 0, leaseMs: 1 }), []);
  },

  async "a prefetched job that leaves the active state can no longer be stolen"(ctx) {
    const store = await ctx.store();
    await store.enqueue(Array.from({ length: 4 }, () => newJob()));
    const rs = await store.reserve({ ...W, count: 0, prefetch: 4, leaseMs: 1_000 });
    const proof = (i: number) => ({ id: rs[i]!.id, token: rs[i]!.token });
    await store.complete([{ ...proof(0), result: null }]);
    await store.fail([{ ...proof(1), error: "{}", retryDelay: 60_000 }]);
    await store.release([{ ...proof(2), delay: 60_000 }]);
    const steal = () => store.steal({ worker: "t", queues: ["q"], count: 10, leaseMs: 1_000 });
    assert.deepEqual((await steal()).map((r) => r.id), [rs[3]!.id]);
    await store.enqueue([newJob()]);
    await store.reserve({ ...W, count: 0, prefetch: 1, leaseMs: 100 });
    ctx.clock.advance(100);
    assert.equal((await store.reclaimExpired()).requeued.length, 1);
    assert.deepEqual(await steal(), []);
  },

  async "lanes restrict reserve to those lanes; the others count as empty"(ctx) {
    const store = await ctx.store();
    await store.enqueue([
      ...Array.from({ length: 10 }, () => newJob({ lane: "critical" })),
      ...Array.from({ length: 10 }, () => newJob({ lane: "high" })),
      ...Array.from({ length: 10 }, () => newJob({ lane: "low" })),
    ]);
    const got = await store.reserve({ ...W, count: 10, lanes: ["high", "low"] });
    const served = (lane: Lane) => got.filter((r) => r.lane === lane).length;
    assert.deepEqual([served("critical"), served("high"), served("low")], [0, 8, 2]);
    assert.deepEqual(await store.reserve({ ...W, count: 10, lanes: [] }), []);
    const pre = await store.reserve({ ...W, count: 1, prefetch: 2, lanes: ["critical"] });
    assert.deepEqual(pre.map((r) => [r.lane, r.started]), [
      ["critical", true],
      ["critical", false],
      ["critical", false],
    ]);
    assert.equal((await store.counts("q")).lanes.critical.waiting, 7);
  },

  // --- worker nodes ---------------------------------------------------------------------------

  async "nodes register, heartbeat, expire, list and deregister"(ctx) {
    const store = await ctx.store();
    const t0 = ctx.clock.now();
    const info = (id: string, queues = ["q"]) => ({ ...NODE, id, queues, startedAt: t0 - 1_000 });
    await store.registerNode(info("n2"), 10_000);
    await store.registerNode(info("n1", ["q", "other"]), 5_000);
    assert.deepEqual(await store.listNodes(), [
      {
        ...info("n1", ["q", "other"]),
        heartbeatAt: t0,
        expiresAt: t0 + 5_000,
        busy: 0,
        completed: 0,
        failed: 0,
        prefetched: 0,
      },
      {
        ...info("n2"),
        heartbeatAt: t0,
        expiresAt: t0 + 10_000,
        busy: 0,
        completed: 0,
        failed: 0,
        prefetched: 0,
      },
    ]);
    await store.enqueue(Array.from({ length: 3 }, () => newJob()));
    await store.reserve({ ...W, worker: "n1", count: 1, prefetch: 2 });
    ctx.clock.advance(4_000);
    assert.equal(await store.heartbeat("n1", { busy: 3, completed: 40, failed: 2 }, 5_000), true);
    let [n1] = await store.listNodes();
    assert.deepEqual(
      [n1!.heartbeatAt, n1!.expiresAt, n1!.busy, n1!.prefetched, n1!.completed, n1!.failed],
      [t0 + 4_000, t0 + 9_000, 3, 2, 40, 2],
    );
    // expired records stay listed until reaped; a heartbeat in time keeps one alive
    ctx.clock.advance(6_000);
    const nodes = await store.listNodes();
    assert.deepEqual(nodes.map((n) => [n.id, n.expiresAt <= ctx.clock.now()]), [
      ["n1", true],
      ["n2", true],
    ]);
    assert.equal(await store.heartbeat("n2", { busy: 0 }, 5_000), true);
    await store.deregisterNode("n2");
    assert.equal(await store.heartbeat("n2", { busy: 0 }, 5_000), false);
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["n1"]);
    // registering again is an upsert: busy resets
    await store.registerNode(info("n1"), 5_000);
    [n1] = await store.listNodes();
    assert.deepEqual([n1!.queues, n1!.busy, n1!.expiresAt], [["q"], 0, ctx.clock.now() + 5_000]);
    await store.deregisterNode("never-registered");
  },

  // --- leadership -----------------------------------------------------------------------------

  async "leadership: acquire, contend, renew, lapse, re-acquire with a higher epoch"(ctx) {
    const store = await ctx.store();
    assert.equal(await store.getLeader(), null);
    const a = await store.acquireLeadership("n1", 10_000);
    assert.ok(a);
    assert.equal(a.node, "n1");
    assert.equal(a.expiresAt, ctx.clock.now() + 10_000);
    assert.ok(a.token.length >= 16);
    assert.equal(await store.acquireLeadership("n2", 10_000), null);
    assert.equal(await store.acquireLeadership("n1", 10_000), null); // it must renew instead
    assert.deepEqual(await store.getLeader(), {
      node: "n1",
      epoch: a.epoch,
      expiresAt: a.expiresAt,
    });
    ctx.clock.advance(5_000);
    const renewed = await store.renewLeadership(a, 10_000);
    assert.deepEqual(renewed, { ...a, expiresAt: ctx.clock.now() + 10_000 });
    assert.equal(await store.renewLeadership({ ...a, token: "forged" }, 10_000), null);
    assert.equal(await store.renewLeadership({ ...a, epoch: a.epoch + 1 }, 10_000), null);
    assert.equal((await store.getLeader())!.expiresAt, renewed!.expiresAt);
    ctx.clock.advance(9_999);
    assert.equal(await store.acquireLeadership("n2", 10_000), null);
    ctx.clock.advance(1); // lapsed
    assert.equal(await store.getLeader(), null);
    assert.equal(await store.renewLeadership(renewed!, 10_000), null); // too late
    const b = await store.acquireLeadership("n2", 10_000);
    assert.ok(b);
    assert.ok(b.epoch > a.epoch);
    assert.notEqual(b.token, a.token);
    assert.equal(await store.renewLeadership(renewed!, 10_000), null); // not the current one
    await store.resignLeadership(a); // the old holder's resign leaves the new lease alone
    assert.deepEqual(await store.getLeader(), {
      node: "n2",
      epoch: b.epoch,
      expiresAt: b.expiresAt,
    });
  },

  async "resign frees the lease: another node acquires at once, with the next epoch"(ctx) {
    const store = await ctx.store();
    const a = await store.acquireLeadership("n1", 60_000);
    await store.resignLeadership(a!);
    assert.equal(await store.getLeader(), null);
    assert.equal(await store.renewLeadership(a!, 60_000), null);
    const b = await store.acquireLeadership("n2", 60_000);
    assert.equal(b!.epoch, a!.epoch + 1);
    assert.equal((await store.reapDeadNodes(a!)).status, Status.NOT_LEADER);
    assert.equal((await store.reapDeadNodes(b!)).status, Status.OK);
  },

  async "an old leader's reapDeadNodes is NOT_LEADER and changes nothing"(ctx) {
    const store = await ctx.store();
    const job = newJob();
    await store.enqueue([job]);
    await store.registerNode({ ...NODE, id: "gone" }, 1_000);
    await store.reserve({ ...W, worker: "gone", count: 1, leaseMs: 60_000 });
    const old = await store.acquireLeadership("l1", 5_000);
    ctx.clock.advance(5_000);
    const refused = { status: Status.NOT_LEADER, outcome: { nodes: [], requeued: [], dead: [] } };
    assert.deepEqual(await store.reapDeadNodes(old!), refused); // lapsed
    const next = await store.acquireLeadership("l2", 5_000);
    assert.deepEqual(await store.reapDeadNodes(old!), refused); // superseded
    assert.deepEqual(await store.reapDeadNodes({ ...next!, epoch: next!.epoch - 1 }), refused);
    assert.deepEqual(await store.reapDeadNodes({ ...next!, token: old!.token }), refused);
    const got = await store.getJob(job.id);
    assert.deepEqual([got!.state, got!.worker, got!.stalls], ["active", "gone", 0]);
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["gone"]);
    assert.deepEqual(await store.reapDeadNodes(next!), {
      status: Status.OK,
      outcome: { nodes: ["gone"], requeued: [job.id], dead: [] },
    });
  },

  async "reap requeues a dead node's active jobs at once and dead-letters last attempts"(ctx) {
    const store = await ctx.store();
    await store.registerNode({ ...NODE, id: "dying" }, 1_000);
    await store.registerNode({ ...NODE, id: "alive" }, 60_000);
    const [j1, j2, j3, j4] = [newJob(), newJob({ maxAttempts: 1 }), newJob(), newJob()];
    const j5 = newJob();
    await store.enqueue([j1, j2, j3, j4]);
    const lease = { ...W, leaseMs: 60_000 };
    const held = await store.reserve({ ...lease, worker: "dying", count: 3, prefetch: 1 });
    assert.deepEqual(held.map((r) => [r.id, r.started]), [
      [j1.id, true],
      [j2.id, true],
      [j3.id, true],
      [j4.id, false],
    ]);
    await store.cancel(j3.id);
    await store.enqueue([j5]);
    await store.reserve({ ...lease, worker: "alive", count: 1 });
    assert.equal((await store.listNodes())[1]!.prefetched, 1);
    const leader = await store.acquireLeadership("alive", 60_000);
    assert.deepEqual(await store.reapDeadNodes(leader!), {
      status: Status.OK,
      outcome: { nodes: [], requeued: [], dead: [] },
    });
    ctx.clock.advance(1_000); // "dying" is dead; its leases still run for 59 s
    assert.deepEqual(await store.reclaimExpired(), { requeued: [], dead: [] });
    const { status, outcome } = await store.reapDeadNodes(leader!);
    assert.equal(status, Status.OK);
    assert.deepEqual(outcome.nodes, ["dying"]);
    assert.deepEqual([...outcome.requeued].sort(), [j1.id, j4.id].sort());
    assert.deepEqual([...outcome.dead].sort(), [j2.id, j3.id].sort());
    const state = async (id: string) => {
      const got = await store.getJob(id);
      return [got!.state, got!.stalls];
    };
    assert.deepEqual(await state(j1.id), ["waiting", 1]);
    assert.deepEqual(await state(j2.id), ["dead", 1]);
    assert.equal(JSON.parse((await store.getJob(j2.id))!.error!).name, "StalledError");
    assert.deepEqual(await state(j3.id), ["cancelled", 1]);
    assert.deepEqual(await state(j4.id), ["waiting", 0]); // prefetched: it never started
    assert.deepEqual(await state(j5.id), ["active", 0]);
    // the dead node's leases are void, its prefetched job is not stealable, its record is gone
    assert.deepEqual(await store.complete([{ id: j1.id, token: held[0]!.token, result: null }]), [
      Status.LEASE_LOST,
    ]);
    assert.deepEqual(await store.start([{ id: j4.id, token: held[3]!.token }]), [
      Status.LEASE_LOST,
    ]);
    assert.deepEqual(await store.steal({ ...lease, worker: "alive", count: 5 }), []);
    assert.deepEqual((await store.listNodes()).map((n) => [n.id, n.prefetched]), [["alive", 0]]);
    assert.equal(await store.heartbeat("dying", { busy: 0 }, 1_000), false);
    // back at the front, in the order they were taken
    const again = await store.reserve({ ...lease, worker: "alive", count: 5 });
    assert.deepEqual(again.map((r) => [r.id, r.attempt, r.stalls]), [[j1.id, 2, 1], [j4.id, 1, 0]]);
    assert.deepEqual((await store.reapDeadNodes(leader!)).outcome.nodes, []);
  },
};
