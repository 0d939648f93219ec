import assert from "node:assert/strict";
import { Coalescer } from "../src/worker/coalescer.ts";

const within = <T>(promise: Promise<T>, ms: number): Promise<T | "stranded"> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"stranded">((r) => (timer = setTimeout(() => r("stranded"), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};

Deno.test("coalescer: items added while a batch is in flight go in the next batch", async () => {
  const batches: number[][] = [];
  const inFlight = Promise.withResolvers<void>();
  const coalescer = new Coalescer<number, number>(async (items) => {
    batches.push(items);
    await inFlight.promise;
    return items.map((n) => n * 10);
  });
  const first = coalescer.add(1);
  const more = coalescer.addAll([2, 3]);
  inFlight.resolve();
  assert.equal(await first, 10);
  assert.deepEqual(await more, [20, 30]);
  assert.deepEqual(batches, [[1], [2, 3]], "a lone item goes at once, the rest together");
});

Deno.test("coalescer: addAll sends its items in one call", async () => {
  const batches: number[][] = [];
  const coalescer = new Coalescer<number, number>((items) => {
    batches.push(items);
    return Promise.resolve(items);
  });
  assert.deepEqual(await coalescer.addAll([1, 2, 3]), [1, 2, 3]);
  assert.deepEqual(batches, [[1, 2, 3]]);
});

Deno.test("coalescer: an item added as a flush ends, before its cleanup ran, is not stranded", async () => {
  const coalescer = new Coalescer<number, number>((items) => Promise.resolve(items));
  // `await` resumes here before the finished flush has cleaned up after itself
  assert.equal(await coalescer.add(1), 1);
  assert.equal(await within(coalescer.add(2), 1_000), 2);
});

Deno.test("coalescer: a failed batch call rejects each of its items", async () => {
  const coalescer = new Coalescer<number, number>(() => Promise.reject(new Error("down")));
  await assert.rejects(() => coalescer.add(1), /down/);
  await assert.rejects(() => coalescer.addAll([2, 3]), /down/);
});

/** A coalescer of 2 calls in flight whose calls each wait for their gate to open. */
function gatedCoalescer() {
  const batches: number[][] = [];
  const gates: PromiseWithResolvers<void>[] = [];
  const written: number[] = [];
  const coalescer = new Coalescer<number, number>(async (items) => {
    batches.push(items);
    const gate = Promise.withResolvers<void>();
    gates.push(gate);
    await gate.promise;
    written.push(...items);
    return items;
  }, { maxInFlight: 2 });
  return { coalescer, batches, gates, written };
}

/** Lets every pending microtask run (a finished call's cleanup included). */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("coalescer: maxInFlight 2 keeps two batches in flight at once", async () => {
  const { coalescer, batches, gates } = gatedCoalescer();
  const first = coalescer.add(1);
  await Promise.resolve(); // the lone item goes after one microtask turn
  const second = coalescer.add(2);
  await Promise.resolve();
  assert.deepEqual(batches, [[1], [2]], "the second batch goes while the first is in flight");
  const third = coalescer.add(3);
  await Promise.resolve();
  assert.deepEqual(batches, [[1], [2]], "both slots busy: the third item waits");
  gates[1]!.resolve();
  assert.equal(await second, 2);
  await tick(); // the freed slot's cleanup runs
  assert.deepEqual(batches, [[1], [2], [3]], "a freed slot takes the waiting item");
  gates[0]!.resolve();
  gates[2]!.resolve();
  assert.deepEqual(await Promise.all([first, third]), [1, 3]);
});

Deno.test("coalescer: maxInFlight 2 splits one burst into two batches, in order", async () => {
  const batches: number[][] = [];
  const coalescer = new Coalescer<number, number>((items) => {
    batches.push(items);
    return Promise.resolve(items.map((n) => n * 10));
  }, { maxInFlight: 2 });
  const results = await Promise.all([1, 2, 3, 4, 5].map((n) => coalescer.add(n)));
  assert.deepEqual(results, [10, 20, 30, 40, 50]);
  assert.deepEqual(batches, [[1, 2, 3], [4, 5]]);
});

Deno.test("coalescer: drain waits for the batches in flight and those queued behind them", async () => {
  const { coalescer, gates, written } = gatedCoalescer();
  void coalescer.add(1);
  void coalescer.add(2);
  await Promise.resolve();
  void coalescer.add(3); // both slots busy: waits in the queue
  let drained = false;
  const drain = coalescer.drain().then(() => (drained = true));
  gates[0]!.resolve();
  await tick();
  assert.equal(gates.length, 3, "the freed slot took the queued item");
  gates[1]!.resolve();
  await tick();
  assert.equal(drained, false, "the third batch is still in flight");
  gates[2]!.resolve();
  await drain;
  assert.deepEqual(written, [1, 2, 3]);
});

Deno.test("coalescer: a slot freed out of order takes the next items, still in order", async () => {
  const { coalescer, batches, gates } = gatedCoalescer();
  const all = [1, 2].map((n) => coalescer.add(n));
  await Promise.resolve();
  all.push(...[3, 4, 5].map((n) => coalescer.add(n)));
  gates[1]!.resolve(); // the second batch answers first
  await tick();
  gates[0]!.resolve();
  await tick();
  for (const gate of gates) gate.resolve();
  assert.deepEqual(await Promise.all(all), [1, 2, 3, 4, 5]);
  assert.deepEqual(batches, [[1], [2], [3, 4, 5]], "the queued items went in one batch, in order");
});

Deno.test("coalescer: a batch call answering the wrong number of results rejects its items", async () => {
  const coalescer = new Coalescer<number, number>((items) => Promise.resolve(items.slice(1)));
  await assert.rejects(() => coalescer.addAll([1, 2]), /answered 1 results for 2 items/);
});

Deno.test("coalescer: with maxInFlight 2 a failed batch rejects only its own items", async () => {
  const coalescer = new Coalescer<number, number>((items) => {
    if (items.includes(1)) return Promise.reject(new Error("down"));
    return Promise.resolve(items);
  }, { maxInFlight: 2 });
  const [first, second] = await Promise.allSettled([coalescer.add(1), coalescer.add(2)]);
  assert.equal(first.status, "rejected");
  assert.deepEqual(second, { status: "fulfilled", value: 2 });
});

Deno.test("coalescer: a maxInFlight that is not a whole number >= 1 is refused", () => {
  const write = (items: number[]) => Promise.resolve(items);
  for (const maxInFlight of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new Coalescer(write, { maxInFlight }), RangeError);
  }
});
