/**
 * Store conformance cases of lanes: weighted fair and strict dispatch, aging, paused queues, the
 * slots kept for the upper lanes, several queues in one call, lane filters. Part of the one store suite: `runStoreConformance` in
 * `_conformance.ts` runs them against every store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Lane, LANES } from "../job/lanes.ts";
import { type ConformanceCases, newJob, W } from "./_conformance.ts";

/** The cases. */
export const LANE_CASES: ConformanceCases = {
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
  async "the picker's state carries over between calls: one job a call picks as one call of all"(
    ctx,
  ) {
    const store = await ctx.store();
    for (const queue of ["q", "q2"]) {
      for (const lane of LANES) {
        await store.enqueue(Array.from({ length: 12 }, () => newJob({ queue, lane })));
      }
    }
    const oneCall = await store.reserve({ ...W, queues: ["q2"], count: 60 });
    const oneEach: string[] = [];
    for (let i = 0; i < 60; i++) {
      const [r] = await store.reserve({ ...W, count: 1 });
      assert.ok(r, `reserve ${i} leased nothing`);
      oneEach.push(r.lane);
    }
    assert.deepEqual(oneEach, oneCall.map((r) => r.lane));
    assert.ok(new Set(oneEach).size === LANES.length, "every lane was picked");
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
};
