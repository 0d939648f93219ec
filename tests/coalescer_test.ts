import assert from "node:assert/strict";
import { Coalescer } from "../src/worker/coalescer.ts";

Deno.test("coalescer: items added while a batch is in flight go in the next batch, none stranded", async () => {
  const batches: number[][] = [];
  const coalescer = new Coalescer<number, number>(async (items) => {
    batches.push(items);
    await new Promise((r) => setTimeout(r, 5));
    return items.map((n) => n * 10);
  });
  const first = coalescer.add(1);
  const more = [coalescer.add(2), coalescer.add(3)];
  assert.equal(await first, 10);
  // added right as the flush loop ends, before its cleanup ran
  const late = await Promise.resolve().then(() => coalescer.add(4));
  assert.deepEqual(await Promise.all([...more, late]), [20, 30, 40]);
  await coalescer.drain();
  assert.deepEqual(batches.flat(), [1, 2, 3, 4]);
  assert.equal(batches[0]!.length, 1, "a lone item goes at once");
});

Deno.test("coalescer: a failed batch call rejects each of its items", async () => {
  const coalescer = new Coalescer<number, number>(() => Promise.reject(new Error("down")));
  await assert.rejects(() => coalescer.add(1), /down/);
  await assert.rejects(() => coalescer.addAll([2, 3]), /down/);
});
