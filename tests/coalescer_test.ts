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
