/**
 * Store conformance cases of unique keys: each conflict mode, each scope, bulk calls, and keys
 * released by retention. Part of the one store suite: `runStoreConformance` in
 * `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DuplicateJobError } from "../job/enqueue_errors.ts";
import type { UniqueConflict, UniqueLock, UniqueScope } from "../job/unique.ts";
import { type ConformanceCases, newJob, W } from "./_conformance.ts";
import type { NewJob, Store } from "./store.ts";

const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

function uniqueJob(
  key: string,
  scope: UniqueScope = "active",
  onConflict: UniqueConflict = "reject",
  overrides: Partial<NewJob> = {},
): NewJob {
  const unique: UniqueLock = { key: `test-fn:${key}`, scope, onConflict };
  return newJob({ unique, ...overrides });
}

/** True when enqueueing a job with `key` is refused as a duplicate. */
async function refused(store: Store, key: string): Promise<boolean> {
  try {
    await store.enqueue([uniqueJob(key)]);
    return false;
  } catch (error) {
    if (error instanceof DuplicateJobError) return true;
    throw error;
  }
}

/** Cases of unique keys. */
export const UNIQUE_CASES: ConformanceCases = {
  async "groups go in one call, in order, each all or none on its own"(ctx) {
    const store = await ctx.store();
    const first = uniqueJob("k");
    const dependent = newJob({ dependsOn: [first.id] });
    const again = uniqueJob("k");
    const outcomes = await store.enqueueGroups([
      [first, newJob()],
      [newJob(), again], // refused: its key is held by the first group's job
      [dependent], // sees the first group's job
      [],
      [first], // stored already
    ]);
    assert.equal(outcomes.length, 5);
    assert.deepEqual((outcomes[0] as { state: string }[]).map((o) => o.state), [
      "waiting",
      "waiting",
    ]);
    assert.ok(outcomes[1] instanceof DuplicateJobError);
    assert.deepEqual([outcomes[1].index, outcomes[1].existingId], [1, first.id]);
    assert.deepEqual(outcomes[2], [{ id: dependent.id, created: true, state: "blocked" }]);
    assert.deepEqual(outcomes[3], []);
    assert.deepEqual(outcomes[4], [{ id: first.id, created: false, state: "waiting" }]);
    assert.equal((await store.counts("q")).states.waiting, 2, "nothing of the refused group");
  },

  async "a job's id that its unique key sent to another job is free for a later group"(ctx) {
    const store = await ctx.store();
    const holder = uniqueJob("k", "active", "return-existing");
    await store.enqueue([holder]);
    const sent = uniqueJob("k", "active", "return-existing");
    const outcomes = await store.enqueueGroups([[sent], [newJob({ id: sent.id })]]);
    assert.deepEqual(outcomes, [
      [{ id: holder.id, created: false, state: "waiting" }],
      [{ id: sent.id, created: true, state: "waiting" }],
    ]);
    assert.equal((await store.counts("q")).states.waiting, 2);
  },

  async "reject names the job holding the key and stores nothing, in bulk too"(ctx) {
    const store = await ctx.store();
    const first = uniqueJob("k1");
    await store.enqueue([first]);
    const again = uniqueJob("k1");
    await assert.rejects(() => store.enqueue([again]), (e) => {
      assert.ok(e instanceof DuplicateJobError);
      assert.deepEqual([e.index, e.existingId, e.existingState], [0, first.id, "waiting"]);
      return true;
    });
    const bulk = [newJob(), uniqueJob("k2"), newJob(), uniqueJob("k2")];
    await assert.rejects(
      () => store.enqueue(bulk),
      (e) => e instanceof DuplicateJobError && e.index === 3 && e.existingId === bulk[1]!.id,
    );
    assert.deepEqual((await store.getJobs(bulk.map((j) => j.id))).filter(Boolean), []);
    assert.equal((await store.counts("q")).states.waiting, 1);
    assert.equal((await store.getJob(first.id))!.uniqueKey, "test-fn:k1");
  },

  async "return-existing gives the holder's id and stores nothing"(ctx) {
    const store = await ctx.store();
    const first = uniqueJob("k", "active", "return-existing");
    await store.enqueue([first]);
    const [out] = await store.enqueue([uniqueJob("k", "active", "return-existing")]);
    assert.deepEqual(out, { id: first.id, created: false, state: "waiting" });
    // a later item of the call may depend on it through the item's own id
    const item = uniqueJob("k", "active", "return-existing");
    const dependent = newJob({ dependsOn: [item.id] });
    const outs = await store.enqueue([item, dependent]);
    assert.deepEqual(outs.map((o) => [o.id, o.state]), [
      [first.id, "waiting"],
      [dependent.id, "blocked"],
    ]);
    assert.deepEqual((await store.getJob(dependent.id))!.prerequisites, [first.id]);
    assert.equal((await store.counts("q")).states.waiting, 1);
  },

  async "replace changes a queued job's payload and options, never a running one"(ctx) {
    const store = await ctx.store();
    const first = uniqueJob("k", "active", "replace", { payload: bytes("1") });
    await store.enqueue([first]);
    const next = uniqueJob("k", "active", "replace", {
      payload: bytes("2"),
      lane: "high",
      maxAttempts: 7,
      delay: 1_000,
    });
    const [out] = await store.enqueue([next]);
    assert.deepEqual(out, { id: first.id, created: false, state: "delayed" });
    const got = (await store.getJob(first.id))!;
    assert.deepEqual([text(got.payload), got.lane, got.maxAttempts], ["2", "high", 7]);
    assert.equal(got.runAt, ctx.clock.now() + 1_000);
    ctx.clock.advance(1_000);
    await store.reserve({ ...W, count: 1 });
    await assert.rejects(
      () => store.enqueue([uniqueJob("k", "active", "replace")]),
      (e) => e instanceof DuplicateJobError && e.existingState === "active",
    );
  },

  async "scope queued: the key is free again once the job starts"(ctx) {
    const store = await ctx.store();
    await store.enqueue([uniqueJob("k", "queued")]);
    assert.equal(await refused(store, "k"), true);
    await store.reserve({ ...W, count: 1 });
    assert.equal(await refused(store, "k"), false);
  },

  async "scope active: held while it runs, free once it completes, dies or is cancelled"(ctx) {
    const store = await ctx.store();
    const job = uniqueJob("k");
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1 });
    assert.equal(await refused(store, "k"), true);
    await store.fail([{ id: r!.id, token: r!.token, error: "{}", retryDelay: 1_000 }]);
    assert.equal(await refused(store, "k"), true, "released while waiting for a retry");
    await store.cancel(job.id);
    assert.equal(await refused(store, "k"), false);
  },

  async "scope until-complete: a completion or a death frees it, a cancel keeps it"(ctx) {
    const store = await ctx.store({ keepFinished: 1 });
    const a = uniqueJob("k", "until-complete");
    await store.enqueue([a]);
    await store.cancel(a.id);
    assert.equal(await refused(store, "k"), true, "a cancelled job let its key go");
    // retention deleting the cancelled job frees it
    await store.enqueue([newJob()]);
    const [other] = await store.reserve({ ...W, count: 1 });
    await store.cancel(other!.id);
    await store.fail([{ id: other!.id, token: other!.token, error: "{}", retryDelay: null }]);
    assert.equal(await store.getJob(a.id), null);
    const b = uniqueJob("k", "until-complete");
    await store.enqueue([b]);
    const [r] = await store.reserve({ ...W, count: 1 });
    await store.complete([{ id: b.id, token: r!.token, result: null }]);
    const c = uniqueJob("k", "until-complete");
    await store.enqueue([c]);
  },

  async "a window scope holds for its ms from enqueue, whatever the job does"(ctx) {
    const store = await ctx.store();
    const job = uniqueJob("k", 10_000);
    await store.enqueue([job]);
    const [r] = await store.reserve({ ...W, count: 1 });
    await store.complete([{ id: job.id, token: r!.token, result: null }]);
    ctx.clock.advance(9_999);
    assert.equal(await refused(store, "k"), true);
    ctx.clock.advance(1);
    assert.equal(await refused(store, "k"), false);
  },
};
