/**
 * The byte pool under payload and result envelopes: arrays it hands out never share a byte, long
 * ones own their buffer, and a pooled envelope is never mistaken for a whole buffer that could be
 * transferred away from its neighbours.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { allocBytes, POOLED_MAX } from "../src/codec/byte_pool.ts";
import { sealAscii } from "../src/codec/envelope.ts";
import { jsonCodec } from "../src/codec/json.ts";
import { COMPRESSIONS } from "../src/codec/compression.ts";

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
