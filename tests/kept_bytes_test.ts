/**
 * Results the memory store keeps as one-byte strings (`kept_bytes.ts`) come back byte for byte,
 * whatever their bytes and length, in a buffer of their own.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { allocBytes, POOLED_MAX } from "../src/codec/byte_pool.ts";
import { keepBytes, keptBytes } from "../src/store/memory/kept_bytes.ts";
import { MemoryStore } from "../store.ts";

const anyBytes = fc.uint8Array({ minLength: 1, maxLength: 2 * POOLED_MAX });

Deno.test("keepBytes: every byte value and length comes back unchanged, in a buffer of its own", () => {
  const everyValue = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
  fc.assert(
    fc.property(anyBytes, (bytes) => {
      for (const original of [bytes, everyValue]) {
        const pooled = allocBytes(original.byteLength);
        pooled.set(original);
        const kept = keepBytes(pooled);
        pooled.fill(0); // the pool's slab is reused: what is kept must not be a view on it
        const back = keptBytes(kept);
        assert.deepEqual([...back], [...original]);
        assert.equal(back.buffer.byteLength, back.byteLength);
      }
    }),
  );
});

Deno.test("keepBytes: a short result is kept as a string, a long one as bytes of its own", () => {
  assert.equal(typeof keepBytes(new Uint8Array(POOLED_MAX)), "string");
  const long = keepBytes(allocBytes(POOLED_MAX + 1).fill(7));
  assert.ok(long instanceof Uint8Array);
  assert.equal(long.buffer.byteLength, POOLED_MAX + 1);
});

Deno.test("MemoryStore: a completed job's result reads back byte for byte from getJob", async () => {
  const results = fc.sample(anyBytes, { numRuns: 40, seed: 14 });
  const store = new MemoryStore();
  await store.enqueue(results.map((_, n) => ({
    id: `j${n}`,
    name: "f",
    queue: "q",
    lane: "normal" as const,
    payload: new Uint8Array([n]),
    maxAttempts: 1,
  })));
  const leases = await store.reserve({
    worker: "w",
    queues: ["q"],
    count: results.length,
    leaseMs: 60_000,
  });
  assert.equal(leases.length, results.length);
  await store.complete(leases.map((lease) => {
    const result = allocBytes(results[Number(lease.id.slice(1))]!.byteLength);
    result.set(results[Number(lease.id.slice(1))]!);
    return { id: lease.id, token: lease.token, result };
  }));
  for (const [n, expected] of results.entries()) {
    const job = (await store.getJob(`j${n}`))!;
    assert.equal(job.state, "completed");
    assert.deepEqual([...job.result!], [...expected], `job j${n}`);
  }
  await store.close();
});
