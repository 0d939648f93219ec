/**
 * The memory store's `KeyedHeap` (lanes' delayed jobs, leases, retention) against a plain model:
 * any run of sets, re-scorings, deletes and pops yields the same entries in (score, id) order.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { KeyedHeap } from "../src/store/memory/keyed_heap.ts";

type Op =
  | { op: "set"; id: string; score: number }
  | { op: "delete"; id: string }
  | { op: "pop" };

const ids = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz".split("").map((c) => `job-${c}`));
const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant("set" as const),
        id: ids,
        score: fc.integer({ min: 0, max: 20 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), id: ids }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("pop" as const) }) },
  ),
  { maxLength: 600 },
);

function smallest(model: Map<string, number>): { id: string; score: number } | undefined {
  let best: { id: string; score: number } | undefined;
  for (const [id, score] of model) {
    if (!best || score < best.score || (score === best.score && id < best.id)) best = { id, score };
  }
  return best;
}

/** The model's entries in (score, id) order. */
function ordered(model: Map<string, number>): { id: string; score: number }[] {
  return [...model].map(([id, score]) => ({ id, score }))
    .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Pops `heap` until it is empty; what it popped, in order. */
function popAll(heap: KeyedHeap): { id: string; score: number }[] {
  const popped: { id: string; score: number }[] = [];
  for (let top = heap.pop(); top; top = heap.pop()) popped.push(top);
  return popped;
}

Deno.test("KeyedHeap: pops in (score, id) order through sets, re-scorings, deletes and rebuilds", () => {
  fc.assert(
    fc.property(ops, (run) => {
      const heap = new KeyedHeap();
      const model = new Map<string, number>();
      for (const step of run) {
        if (step.op === "set") {
          heap.set(step.id, step.score);
          model.set(step.id, step.score);
        } else if (step.op === "delete") {
          assert.equal(heap.delete(step.id), model.delete(step.id));
        } else {
          const want = smallest(model);
          if (want) model.delete(want.id);
          assert.deepEqual(heap.pop(), want);
        }
        assert.equal(heap.size, model.size);
        assert.deepEqual(heap.peek(), smallest(model));
      }
      assert.deepEqual(heap.sorted(), ordered(model));
    }),
    { numRuns: 300 },
  );
});

Deno.test("KeyedHeap: re-scored many times (stale entries rebuilt away), it pops in order", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 50 })), {
        minLength: 200,
        maxLength: 400,
      }),
      (sets) => {
        const heap = new KeyedHeap();
        const model = new Map<string, number>();
        for (const [n, score] of sets) {
          heap.set(`id-${n}`, score);
          model.set(`id-${n}`, score);
        }
        assert.deepEqual(popAll(heap), ordered(model));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("KeyedHeap: ids set mostly in order (as jobs finish and leases are made) pop in order", () => {
  // a clock that moves forward by 0-2 per set, sometimes stepping back; ids from a counter that
  // sometimes steps back too (a batch's ids need not be in order): runs of thousands of in-order
  // sets, broken now and then, with deletes and pops in between; then a phase of mostly pops, so
  // the popped part of a long run is dropped while sets go on, and stale entries (deleted ids, ids
  // set twice) are rebuilt away
  const step = (ops: string[]) =>
    fc.record({
      op: fc.constantFrom(...ops),
      advance: fc.integer({ min: 0, max: 2 }),
      back: fc.integer({ min: 0, max: 40 }),
      pick: fc.nat(),
    });
  const filling = fc.array(step(["set", "set", "set", "set", "set", "again", "delete", "pop"]), {
    minLength: 2000,
    maxLength: 6000,
  });
  const draining = fc.array(step(["set", "again", "pop", "pop", "pop", "delete", "delete"]), {
    minLength: 2000,
    maxLength: 6000,
  });
  fc.assert(
    fc.property(filling, draining, (fill, drain) => {
      const heap = new KeyedHeap();
      const model = new Map<string, number>();
      let clock = 0;
      let counter = 0;
      for (const s of [...fill, ...drain]) {
        if (s.op === "set") {
          clock += s.advance;
          const late = s.back === 0; // one set in 41 comes earlier than the one before
          const id = `id-${String(late ? counter - 3 : counter++).padStart(6, "0")}`;
          const score = late ? Math.max(clock - 3, 0) : clock;
          heap.set(id, score);
          model.set(id, score);
        } else if (s.op === "again" && model.size > 0) {
          // an id set again with the score it has: a second entry for it, in the run or the heap
          const [id, score] = [...model][s.pick % model.size]!;
          heap.set(id, score);
        } else if (s.op === "delete") {
          // an id held, or (one time in four, or when none is) one that is not
          const absent = model.size === 0 || s.pick % 4 === 0;
          const id = absent ? `gone-${s.pick}` : [...model.keys()][s.pick % model.size]!;
          assert.equal(heap.delete(id), model.delete(id));
        } else if (s.op === "pop") {
          const want = smallest(model);
          if (want) model.delete(want.id);
          assert.deepEqual(heap.pop(), want);
        }
        assert.equal(heap.size, model.size);
      }
      assert.deepEqual(heap.peek(), smallest(model));
      assert.deepEqual(popAll(heap), ordered(model));
    }),
    { numRuns: 40 },
  );
});
