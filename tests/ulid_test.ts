import assert from "node:assert/strict";
import { monotonicUlids } from "../src/job/ulid.ts";
import { newJobId } from "../src/job/ids.ts";

const CROCKFORD = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{26}$/;
const ENCODING = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The epoch ms of a ULID's first 10 characters. */
function timeOf(id: string): number {
  return [...id.slice(0, 10)].reduce((ms, char) => ms * 32 + ENCODING.indexOf(char), 0);
}

Deno.test("ulid: 26 Crockford base-32 characters, the first 10 the time they were made", () => {
  const before = Date.now();
  const id = newJobId();
  const after = Date.now();
  assert.match(id, CROCKFORD);
  assert.ok(timeOf(id) >= before && timeOf(id) <= after, `${id}: ${timeOf(id)}`);
});

Deno.test("ulid: ids sort in the order they were made, also past 1,024 in one millisecond", () => {
  const next = monotonicUlids(() => 1_767_225_600_000);
  const ids = Array.from({ length: 5_000 }, () => next());
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  for (const id of ids) assert.equal(timeOf(id), 1_767_225_600_000);
});

Deno.test("ulid: a clock that steps back keeps the last time and increments; a new ms redraws", () => {
  let now = 1_767_225_600_000;
  const next = monotonicUlids(() => now);
  const first = next();
  now -= 50;
  const second = next();
  assert.ok(second > first);
  assert.equal(timeOf(second), 1_767_225_600_000);
  now += 100;
  const third = next();
  assert.equal(timeOf(third), 1_767_225_600_050);
  assert.ok(third > second);
});

Deno.test("ulid: the random part differs between generators in the same millisecond", () => {
  const a = monotonicUlids(() => 1_767_225_600_000)();
  const b = monotonicUlids(() => 1_767_225_600_000)();
  assert.equal(a.slice(0, 10), b.slice(0, 10));
  assert.notEqual(a.slice(10), b.slice(10)); // 80 random bits: equal only by a 2^-80 chance
});
