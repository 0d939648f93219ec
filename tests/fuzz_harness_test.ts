/**
 * The differential fuzz itself (`tests/_fuzz/`), checked without Redis: traces are reproducible,
 * two equal stores never diverge (tokens and leader leases are normalised), and a difference
 * planted in one store is found, in a reply or only in the state, and shrunk to a few steps.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Clock } from "../src/job/clock.ts";
import { ManualClock } from "../src/job/clock.ts";
import { Status, type StatusCode } from "../src/job/status.ts";
import { MemoryStore } from "../src/store/memory/memory_store.ts";
import type { Completion, QueueCounts, RetentionConfig, Store } from "../src/store/store.ts";
import { generateTrace } from "./_fuzz/generator.ts";
import { type RunResult, runTrace } from "./_fuzz/runner.ts";
import { describeOp } from "./_fuzz/ops.ts";
import { shrink } from "./_fuzz/shrink.ts";
import { type PairFactory, pairOf } from "./_fuzz/stores.ts";

/** Pairs a `MemoryStore` with the store `other` makes, on one clock. */
function pairs(other: (clock: Clock, retention: RetentionConfig) => Store): PairFactory {
  return (retention) => {
    const clock = new ManualClock();
    return pairOf(clock, new MemoryStore({ clock, retention }), other(clock, retention));
  };
}

/** Says NOT_FOUND where it should say LEASE_LOST (a difference in replies). */
class WrongCompleteStatus extends MemoryStore {
  override async complete(items: readonly Completion[]): Promise<StatusCode[]> {
    const out = await super.complete(items);
    return out.map((s) => s === Status.LEASE_LOST ? Status.NOT_FOUND : s);
  }
}

/** Reports every queue as running (a difference only the states show). */
class HidesPause extends MemoryStore {
  override async counts(queue: string): Promise<QueueCounts> {
    return { ...await super.counts(queue), paused: false };
  }
}

/** The first of seeds 1..200 whose run diverges, with its run. */
async function firstDivergence(open: PairFactory): Promise<{ seed: number; result: RunResult }> {
  for (let seed = 1; seed <= 200; seed++) {
    const result = await runTrace(generateTrace(seed), open);
    if (result.divergence) return { seed, result };
  }
  throw new Error("no divergence in 200 traces");
}

Deno.test("fuzz: a seed gives the same trace every time", () => {
  for (const seed of [1, 2, 99]) assert.deepEqual(generateTrace(seed), generateTrace(seed));
  assert.notDeepEqual(generateTrace(1), generateTrace(2));
});

Deno.test("fuzz: two memory stores agree on 50 traces", async () => {
  const open = pairs((clock, retention) => new MemoryStore({ clock, retention }));
  for (let seed = 1; seed <= 50; seed++) {
    const { divergence } = await runTrace(generateTrace(seed), open);
    assert.equal(divergence, null, `seed ${seed}: ${JSON.stringify(divergence)}`);
  }
});

Deno.test("fuzz: a planted reply difference is found and shrunk to a few steps", async () => {
  const open = pairs((clock, retention) => new WrongCompleteStatus({ clock, retention }));
  const { seed, result } = await firstDivergence(open);
  const d = result.divergence!;
  assert.deepEqual([d.what, d.signature, d.memory, d.redis], ["reply", "complete[]", 2, 1]);
  const small = await shrink(generateTrace(seed), result, (t) => runTrace(t, open));
  assert.equal(small.result.divergence!.signature, "complete[]");
  assert.ok(
    small.trace.ops.length <= 5, // e.g. enqueue, reserve, let the lease expire, reclaim, complete
    `shrunk to ${small.trace.ops.length} operations:\n${
      small.trace.ops.map((op) => describeOp(op)).join("\n")
    }`,
  );
});

Deno.test("fuzz: a difference only in the state is found", async () => {
  const open = pairs((clock, retention) => new HidesPause({ clock, retention }));
  const { result } = await firstDivergence(open);
  const d = result.divergence!;
  assert.equal(d.what, "state");
  assert.match(d.path, /^\.queues\.\w+\.counts\.paused$/);
  assert.deepEqual([d.memory, d.redis], [true, false]);
});
