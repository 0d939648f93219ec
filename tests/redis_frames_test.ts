/**
 * Reading the framed replies of the Redis store's scripts (`Frames`): fields of
 * `<length>:<bytes>`, and a field of comma-separated numbers read as `Number` reads each.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Frames } from "../src/store/redis/record.ts";

function framed(...fields: string[]): Buffer {
  return Buffer.from(fields.map((f) => `${Buffer.byteLength(f)}:${f}`).join(""));
}

Deno.test("Frames.numbers: integers, fractions, signs and exponents as Number reads them", () => {
  const texts = [
    "2,1,3,0,1796227584600,1796227584600.5,0,12",
    "-1,0.25,1e3,+7,0",
    "9007199254740993,12345678901234567", // past 2^53: rounded as Number rounds it
    "",
    "5",
  ];
  const f = new Frames(framed(...texts, "after"));
  for (const text of texts) {
    const into: number[] = [];
    const count = f.numbers(into);
    assert.deepEqual(into.slice(0, count), text.split(",").map(Number), text);
  }
  assert.equal(f.text(), "after", "the next field follows");
  assert.equal(f.more, false);
});

Deno.test("Frames: text, bytes and num fields in order; a malformed length throws", () => {
  const f = new Frames(framed("héllo", "42", "ab"));
  assert.equal(f.text(), "héllo");
  assert.equal(f.num(), 42);
  assert.deepEqual([...f.bytes()], [97, 98]);
  const long = "x".repeat(300) + "é";
  const reply = framed(long, "ab");
  const copied = new Frames(reply);
  const [longBytes, shortBytes] = [copied.bytes(), copied.bytes()];
  reply.fill(0); // a parser reusing its buffer for the next reply
  assert.deepEqual(longBytes, new TextEncoder().encode(long), "a long field, copied");
  assert.deepEqual(shortBytes, new Uint8Array([97, 98]), "a short field, copied");
  assert.throws(() => new Frames(Buffer.from("x:1")).text(), /malformed reply/);
  assert.throws(() => new Frames(Buffer.from("9:1")).text(), /truncated reply/);
});
