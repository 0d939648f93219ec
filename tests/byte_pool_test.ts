/**
 * The byte pool under payload and result envelopes: arrays it hands out never share a byte, long
 * ones own their buffer, a detached slab is replaced, decoded binary values and what the memory
 * store keeps are not views on a slab.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { allocBytes, isPooled, POOLED_MAX } from "../src/codec/byte_pool.ts";
import { sealAscii } from "../src/codec/envelope.ts";
import { jsonCodec } from "../src/codec/json.ts";
import { COMPRESSIONS } from "../src/codec/compression.ts";
import { PayloadEncoder, resolveEncodingDefaults } from "../src/codec/payload_encoder.ts";
import { MemoryStore } from "../store.ts";

Deno.test("allocBytes: arrays of any sizes keep their own bytes while later ones are written", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 2 * POOLED_MAX }), { maxLength: 300 }),
      (sizes) => {
        const arrays = sizes.map((size, n) => {
          const bytes = allocBytes(size);
          assert.equal(bytes.byteLength, size);
          bytes.fill(n % 251);
          return bytes;
        });
        arrays.forEach((bytes, n) => assert.ok(bytes.every((b) => b === n % 251), `array ${n}`));
      },
    ),
  );
});

Deno.test("allocBytes: an array past POOLED_MAX has a buffer of its own; a pooled one is a part", () => {
  const long = allocBytes(POOLED_MAX + 1);
  assert.equal(long.byteOffset, 0);
  assert.equal(long.buffer.byteLength, POOLED_MAX + 1);
  for (let i = 0; i < 40; i++) {
    const short = allocBytes(POOLED_MAX);
    assert.ok(
      short.buffer.byteLength > short.byteLength,
      "a pooled array is never its whole buffer",
    );
  }
});

Deno.test("isPooled: true of views on the pool's slabs only", () => {
  assert.ok(isPooled(allocBytes(8)));
  assert.ok(isPooled(allocBytes(8).subarray(2)));
  assert.ok(!isPooled(allocBytes(POOLED_MAX + 1)));
  const own = new Uint8Array(64);
  assert.ok(!isPooled(own));
  assert.ok(!isPooled(own.subarray(8, 16)));
});

Deno.test("sealAscii: envelopes made one after another each keep their text", () => {
  const options = { codec: jsonCodec, compression: COMPRESSIONS.none, version: 1, threshold: 1024 };
  const texts = Array.from(
    { length: 2_000 },
    (_, n) => JSON.stringify({ n, pad: "x".repeat(n % 97) }),
  );
  const sealed = texts.map((text) => sealAscii(text, options)!);
  const decoder = new TextDecoder();
  sealed.forEach((bytes, n) => assert.equal(decoder.decode(bytes.subarray(3)), texts[n]));
  assert.equal(sealAscii("caf\u00e9", options), null, "not ASCII: the general path seals it");
});

Deno.test("allocBytes: a slab detached by code that transferred a view's buffer is replaced", () => {
  const kept = allocBytes(16).fill(7);
  (allocBytes(16).buffer as ArrayBuffer).transfer(); // the slab both share, detached
  const next = allocBytes(16);
  assert.equal(next.byteLength, 16);
  next.fill(9);
  assert.ok(next.every((b) => b === 9));
  assert.equal(
    kept.byteLength,
    0,
    "a view on the detached slab is empty: why kept bytes are owned",
  );
});

for (const codec of ["msgpack", "structured"] as const) {
  Deno.test(`openEnvelope: ${codec} bytes inside a payload are not a view on a pooled slab`, () => {
    const encoder = new PayloadEncoder(resolveEncodingDefaults({ codec }));
    const profile = { name: "f", codec, compression: undefined, version: 1 };
    const sealed = encoder.encodePayload(profile, { bin: new Uint8Array([1, 2, 3]) });
    const neighbour = encoder.encodePayload(profile, { bin: new Uint8Array([4, 5, 6]) });
    assert.ok(sealed.buffer.byteLength > sealed.byteLength, "the envelope is pooled");
    const { value } = encoder.decode(sealed) as { value: { bin: Uint8Array } };
    assert.deepEqual([...value.bin], [1, 2, 3]);
    (value.bin.buffer as ArrayBuffer).transfer(); // a handler may detach what it was given
    const again = encoder.decode(neighbour).value as { bin: Uint8Array };
    assert.deepEqual([...again.bin], [4, 5, 6], "the neighbouring envelope is intact");
  });
}

Deno.test("MemoryStore keeps payloads and results in buffers of their own", async () => {
  const store = new MemoryStore();
  const payload = allocBytes(8).fill(1);
  const [outcome] = await store.enqueue([{
    id: "j1",
    name: "f",
    queue: "q",
    lane: "normal",
    payload,
    maxAttempts: 1,
  }]);
  assert.ok(outcome);
  const [lease] = await store.reserve({ worker: "w", queues: ["q"], count: 1, leaseMs: 60_000 });
  await store.complete([{ id: "j1", token: lease!.token, result: allocBytes(4).fill(2) }]);
  const job = (await store.getJob("j1"))!;
  for (const bytes of [job.payload, job.result!]) {
    assert.equal(bytes.buffer.byteLength, bytes.byteLength);
  }
  await store.close();
});
