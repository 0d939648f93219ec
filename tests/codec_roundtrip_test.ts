import assert from "node:assert/strict";
import { type CodecName, PayloadTooLargeError } from "../mod.ts";
import { CODECS, COMPRESSION_NAMES, COMPRESSIONS } from "../codec.ts";
import { ENVELOPE_MAGIC, openEnvelope, sealEnvelope } from "../src/codec/envelope.ts";
import { PayloadEncoder, resolveEncodingDefaults } from "../src/codec/payload_encoder.ts";

/** Values every codec carries exactly. */
const PLAIN: Record<string, unknown> = {
  "nested objects": { a: { b: { c: [1, { d: [true, null, false] }] } }, e: -0.5 },
  unicode: { text: "héllo wörld, 日本語, emoji 🎉👩‍👩‍👧, rtl שלום, nul \u0000 end" },
  "big array": Array.from({ length: 20_000 }, (_, i) => ({ i, s: `item-${i}`, ok: i % 3 === 0 })),
  "long string": "x".repeat(300_000),
  "empty things": { o: {}, a: [], s: "" },
  "numbers": [0, 1, -1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 1.5e-300, 3.14159],
  "top-level scalar": "just a string",
};

/** Values only some codecs carry: which ones, and the value. */
const RICH: Record<string, { codecs: CodecName[]; value: unknown }> = {
  Date: {
    codecs: ["msgpack", "structured"],
    value: { at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) },
  },
  BigInt: {
    codecs: ["msgpack", "structured"],
    value: { small: 5n, huge: 2n ** 100n, neg: -(2n ** 70n) },
  },
  Set: { codecs: ["msgpack", "structured"], value: new Set(["a", 1]) },
  "typed arrays": {
    codecs: ["msgpack", "structured"],
    value: { bytes: new Uint8Array([0, 255, 7]), floats: new Float64Array([1.5, -2]) },
  },
  Map: { codecs: ["structured"], value: new Map<unknown, unknown>([["k", 1], [2, { v: [3] }]]) },
  cycle: { codecs: ["structured"], value: cyclic() },
};

function cyclic(): unknown {
  const node: Record<string, unknown> = { name: "root" };
  node.self = node;
  return node;
}

function roundTrip(codec: CodecName, compression: string, value: unknown): unknown {
  const sealed = sealEnvelope(CODECS[codec].encode(value), {
    codec: CODECS[codec],
    compression: COMPRESSIONS[compression as keyof typeof COMPRESSIONS],
    version: 1,
    threshold: 0,
  });
  assert.equal(sealed[0], ENVELOPE_MAGIC);
  return openEnvelope(sealed, { trusted: true }).value;
}

for (const codec of Object.keys(CODECS) as CodecName[]) {
  for (const compression of COMPRESSION_NAMES) {
    Deno.test(`codec round trip: ${codec} x ${compression}`, () => {
      for (const [label, value] of Object.entries(PLAIN)) {
        assert.deepStrictEqual(roundTrip(codec, compression, value), value, label);
      }
      for (const [label, { codecs, value }] of Object.entries(RICH)) {
        if (codecs.includes(codec)) {
          assert.deepStrictEqual(roundTrip(codec, compression, value), value, label);
        }
      }
    });
  }
}

Deno.test("codecs: values a codec cannot represent give an error naming the codec", () => {
  const cases: [CodecName, unknown, RegExp][] = [
    ["json", { n: 1n }, /^json codec cannot encode this value: .*BigInt/],
    ["json", cyclic(), /^json codec cannot encode this value: .*circular/i],
    ["json", () => 1, /^json codec cannot encode this value: a bare function/],
    ["json", undefined, /^json codec cannot encode this value: a bare undefined/],
    ["msgpack", { f: () => 1 }, /^msgpack codec cannot encode this value: functions/],
    ["msgpack", { s: Symbol("x") }, /^msgpack codec cannot encode this value/],
    ["msgpack", cyclic(), /^msgpack codec cannot encode this value: the value has a cycle/],
    [
      "structured",
      { f: () => 1 },
      /^structured codec cannot encode this value: .*could not be cloned/,
    ],
    ["structured", Symbol("x"), /^structured codec cannot encode this value/],
  ];
  for (const [codec, value, message] of cases) {
    assert.throws(() => CODECS[codec].encode(value), (error: unknown) => {
      assert.ok(error instanceof TypeError, `${codec}: ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
  assert.throws(
    () => CODECS.json.decode(new Uint8Array([0x7b])),
    /TypeError: json codec cannot decode/,
  );
});

Deno.test("envelope: the header records codec, compression and version", () => {
  const body = CODECS.msgpack.encode({ text: "abc".repeat(1_000) });
  const options = { codec: CODECS.msgpack, compression: COMPRESSIONS.zstd, version: 300 };
  const small = sealEnvelope(body, { ...options, threshold: body.byteLength + 1 });
  const large = sealEnvelope(body, { ...options, threshold: body.byteLength });
  assert.equal(openEnvelope(small, { trusted: false }).header.compression.name, "none");
  const opened = openEnvelope(large, { trusted: false });
  assert.equal(opened.header.compression.name, "zstd");
  assert.equal(opened.header.codec.name, "msgpack");
  assert.equal(opened.header.version, 300);
  assert.ok(large.byteLength < small.byteLength / 10, "compressed when above the threshold");
  assert.deepEqual(opened.value, { text: "abc".repeat(1_000) });
  // incompressible bytes are stored as they are
  const noise = CODECS.msgpack.encode(crypto.getRandomValues(new Uint8Array(4_096)));
  const sealed = sealEnvelope(noise, { ...options, threshold: 0 });
  assert.equal(openEnvelope(sealed, { trusted: false }).header.compression.name, "none");
});

Deno.test("envelope: headerless JSON is read as version 1", () => {
  const opened = openEnvelope(new TextEncoder().encode('{"a":[1,"é"]}'), { trusted: false });
  assert.deepEqual(opened.value, { a: [1, "é"] });
  assert.equal(opened.header.version, 1);
  assert.equal(opened.header.codec.name, "json");
});

Deno.test("envelope: structured bytes are refused unless trusted; unknown ids are refused", () => {
  const sealed = sealEnvelope(CODECS.structured.encode(new Map([[1, 2]])), {
    codec: CODECS.structured,
    compression: COMPRESSIONS.none,
    version: 1,
    threshold: 0,
  });
  assert.throws(() => openEnvelope(sealed, { trusted: false }), /decoded only from the store/);
  assert.deepEqual(openEnvelope(sealed, { trusted: true }).value, new Map([[1, 2]]));
  assert.throws(
    () => openEnvelope(new Uint8Array([ENVELOPE_MAGIC, 0x90, 1, 0]), { trusted: true }),
    /unknown codec id 9/,
  );
  assert.throws(
    () => openEnvelope(new Uint8Array([ENVELOPE_MAGIC, 0x0c, 1, 0]), { trusted: true }),
    /unknown compression id 12/,
  );
  assert.throws(
    () => openEnvelope(new Uint8Array([ENVELOPE_MAGIC, 0x01, 1, 9, 9]), { trusted: true }),
    /gzip cannot decompress/,
  );
});

Deno.test("payload encoder: size limit before compression, per-function codec over the default", () => {
  const encoder = new PayloadEncoder(
    resolveEncodingDefaults({
      maxPayloadBytes: 1_000,
      compression: "gzip",
      compressionThreshold: 0,
    }),
  );
  const fn = { name: "fn", codec: undefined, compression: undefined, version: 2 };
  assert.throws(() => encoder.encodePayload(fn, "a".repeat(2_000)), (error: unknown) => {
    assert.ok(error instanceof PayloadTooLargeError);
    assert.equal(error.bytes, 2_002);
    assert.equal(error.limit, 1_000);
    assert.match(error.message, /"fn" is 2002 bytes encoded, above the limit of 1000/);
    return true;
  });
  const bytes = encoder.encodePayload({ ...fn, codec: "msgpack" }, { list: [1, 2, 3] });
  const { header, value } = encoder.decode(bytes);
  assert.deepEqual(value, { list: [1, 2, 3] });
  assert.equal(header.codec.name, "msgpack");
  assert.equal(header.version, 2);
  assert.throws(() => resolveEncodingDefaults({ codec: "xml" as never }), /codec must be one of/);
  assert.throws(() => resolveEncodingDefaults({ compression: "lz4" as never }), /"lz4"/);
  assert.throws(() => resolveEncodingDefaults({ maxPayloadBytes: -1 }), RangeError);
});

Deno.test("payload encoder: JSON is sealed byte for byte as the codec and envelope make it", () => {
  const values: unknown[] = [
    { ok: true },
    { n: 12345, user: "user-345", action: "resize" },
    "héllo wörld 🎉", // not ASCII
    { lone: "\ud800" }, // a lone surrogate: JSON escapes it
    "x".repeat(5_000), // past the one-step path
    "y".repeat(1_500), // compressed when compression is on
    null,
    [],
  ];
  for (const compression of ["none", "gzip"] as const) {
    for (const version of [1, 200]) {
      const defaults = resolveEncodingDefaults({ compression, compressionThreshold: 1_024 });
      const encoder = new PayloadEncoder(defaults);
      const fn = { name: "fn", codec: undefined, compression: undefined, version };
      for (const value of values) {
        const expected = sealEnvelope(CODECS.json.encode(value), {
          codec: CODECS.json,
          compression: COMPRESSIONS[compression],
          version,
          threshold: 1_024,
        });
        const label = `${compression} v${version} ${JSON.stringify(value).slice(0, 20)}`;
        assert.deepEqual(encoder.encodePayload(fn, value), expected, label);
        assert.deepEqual(encoder.encodeResult(fn, value), expected, label);
      }
    }
  }
  const tight = new PayloadEncoder(resolveEncodingDefaults({ maxPayloadBytes: 10 }));
  const fn = { name: "fn", codec: undefined, compression: undefined, version: 1 };
  assert.deepEqual(
    tight.encodePayload(fn, "12345678"),
    sealEnvelope(CODECS.json.encode("12345678"), {
      codec: CODECS.json,
      compression: COMPRESSIONS.none,
      version: 1,
      threshold: 1_024,
    }),
  );
  for (const [value, bytes] of [["123456789", 11], ["ééééé", 12]] as const) {
    assert.throws(() => tight.encodePayload(fn, value), (error: unknown) => {
      assert.ok(error instanceof PayloadTooLargeError);
      assert.equal(error.bytes, bytes);
      return true;
    });
  }
  assert.throws(() => tight.encodePayload(fn, 1n), /json codec cannot encode this value/);
  assert.throws(() => tight.encodePayload(fn, undefined), /json codec cannot encode this value/);
});
