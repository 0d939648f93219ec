/**
 * The store's own RESP framing of script calls (`resp_command.ts`): byte lengths of any text
 * (non-ASCII, surrogate pairs, lone surrogates), byte arguments as they are, and the whole frame
 * as Redis reads it.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeCommand, utf8Length } from "../src/store/redis/resp_command.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("utf8Length is the length TextEncoder writes, for any text", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (s) => utf8Length(s) === bytes(s).byteLength),
    { numRuns: 2_000 },
  );
  for (const s of ["", "a", "é", "€", "😀", "\ud800", "\udc00", "a\ud800b", "\ud83d\ude00x"]) {
    assert.equal(utf8Length(s), bytes(s).byteLength, JSON.stringify(s));
  }
});

Deno.test("encodeCommand frames text, numbers and bytes as RESP, in order", () => {
  const payload = new Uint8Array([0xb5, 0, 1, 0xff, 10, 13]);
  const got = encodeCommand("EVALSHA", ["sha", 1, "{k}:", "é😀", payload, "", -2.5, payload]);
  const want = new Uint8Array([
    ...bytes("*9\r\n$7\r\nEVALSHA\r\n$3\r\nsha\r\n$1\r\n1\r\n$4\r\n{k}:\r\n$6\r\né😀\r\n$6\r\n"),
    ...payload,
    ...bytes("\r\n$0\r\n\r\n$4\r\n-2.5\r\n$6\r\n"),
    ...payload,
    ...bytes("\r\n"),
  ]);
  assert.deepEqual(Array.from(got), Array.from(want));
});

Deno.test("encodeCommand's frame of random arguments parses back to them", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ unit: "binary" }), fc.uint8Array(), fc.integer())),
      (args) => {
        const wire = encodeCommand("EVAL", args);
        // a minimal RESP array reader
        let at = 0;
        const line = () => {
          const end = wire.indexOf(13, at);
          const s = new TextDecoder().decode(wire.subarray(at, end));
          at = end + 2;
          return s;
        };
        assert.equal(line(), `*${args.length + 1}`);
        const read = () => {
          const n = Number(line().slice(1));
          const value = wire.subarray(at, at + n);
          at += n + 2;
          return value;
        };
        assert.deepEqual(Array.from(read()), Array.from(bytes("EVAL")));
        for (const arg of args) {
          const expected = arg instanceof Uint8Array ? arg : bytes(String(arg));
          assert.deepEqual(Array.from(read()), Array.from(expected));
        }
        assert.equal(at, wire.byteLength);
      },
    ),
    { numRuns: 500 },
  );
});
