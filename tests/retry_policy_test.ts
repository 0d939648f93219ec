import assert from "node:assert/strict";
import {
  type Backoff,
  checkBackoff,
  checkRetryOptions,
  decodeBackoff,
  encodeBackoff,
  exponential,
  fixed,
  type Jitter,
  retryDelay,
  schedule,
} from "../src/schedule/retry_policy.ts";

const sequence = (backoff: Backoff, n: number, random?: () => number): (number | "stop")[] =>
  Array.from({ length: n }, (_, i) => retryDelay(backoff, i + 1, new Error("x"), random));

/** A random source replaying `values` in a loop. */
const replay = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

Deno.test("fixed: the same delay every time", () => {
  assert.deepEqual(sequence(fixed(250), 4), [250, 250, 250, 250]);
});

Deno.test("exponential: base * factor^(n-1), capped at max", () => {
  assert.deepEqual(sequence(exponential(100), 5), [100, 200, 400, 800, 1600]);
  assert.deepEqual(sequence(exponential(100, { factor: 3, max: 2_000 }), 5), [
    100,
    300,
    900,
    2_000,
    2_000,
  ]);
  // the default cap is one hour
  assert.equal(retryDelay(exponential(1_000), 40, null), 3_600_000);
});

Deno.test("exponential jitter: exact values from a known random source", () => {
  const b = (jitter: Jitter) => exponential(100, { jitter, max: 10_000 });
  assert.deepEqual(sequence(b("full"), 3, replay(0.5)), [50, 100, 200]);
  assert.deepEqual(sequence(b("full"), 3, replay(0)), [0, 0, 0]);
  assert.deepEqual(sequence(b("full"), 3, replay(0.999999)), [100, 200, 400]);
  assert.deepEqual(sequence(b("equal"), 3, replay(0)), [50, 100, 200]);
  assert.deepEqual(sequence(b("equal"), 3, replay(0.999999)), [100, 200, 400]);
  // decorrelated replays min(max, between(base, 3 * previous)) from previous = base
  assert.deepEqual(sequence(b("decorrelated"), 4, replay(0.999999)), [300, 900, 2_700, 8_100]);
  assert.deepEqual(sequence(b("decorrelated"), 3, replay(0)), [100, 100, 100]);
  assert.deepEqual(retryDelay(b("decorrelated"), 2, null, replay(0.5, 0.5)), 350); // 200, then 100 + floor(0.5 * 501)
});

Deno.test("jitter stays within its bounds over 10,000 samples", () => {
  const base = 100;
  const max = 50_000;
  for (const jitter of ["none", "full", "equal", "decorrelated"] as const) {
    const backoff = exponential(base, { jitter, max });
    for (let i = 0; i < 10_000; i++) {
      const attempt = 1 + (i % 12);
      const raw = Math.min(base * 2 ** (attempt - 1), max);
      const d = retryDelay(backoff, attempt, null) as number;
      assert.ok(Number.isInteger(d), `${jitter}: ${d} is not whole ms`);
      const [low, high] = {
        none: [raw, raw],
        full: [0, raw],
        equal: [Math.ceil(raw / 2), raw],
        decorrelated: [base, Math.min(max, base * 3 ** attempt)],
      }[jitter];
      assert.ok(
        d >= low! && d <= high!,
        `${jitter} attempt ${attempt}: ${d} not in [${low}, ${high}]`,
      );
    }
  }
});

Deno.test("jitter spreads over its range", () => {
  for (const jitter of ["full", "equal", "decorrelated"] as const) {
    const backoff = exponential(100, { jitter, max: 50_000 });
    const seen = Array.from({ length: 2_000 }, () => retryDelay(backoff, 4, null) as number);
    const [low, high] = { full: [0, 800], equal: [400, 800], decorrelated: [100, 2_700] }[jitter];
    const spread = Math.max(...seen) - Math.min(...seen);
    assert.ok(spread >= (high! - low!) / 2, `${jitter}: samples span only ${spread} ms`);
  }
});

Deno.test("schedule: one delay per retry, the last one repeats", () => {
  assert.deepEqual(sequence(schedule([10, 60, 600]), 5), [10, 60, 600, 600, 600]);
});

Deno.test("a backoff function gets the attempt and the error, may stop", () => {
  const seen: [number, string][] = [];
  const backoff = (attempt: number, error: unknown) => {
    seen.push([attempt, (error as Error).message]);
    return attempt >= 3 ? "stop" : attempt * 1.5;
  };
  assert.deepEqual(sequence(backoff, 3), [2, 3, "stop"]);
  assert.deepEqual(seen, [[1, "x"], [2, "x"], [3, "x"]]);
  assert.throws(() => retryDelay(() => -1, 1, null), TypeError);
  assert.throws(() => retryDelay(() => NaN, 1, null), TypeError);
  assert.throws(() => retryDelay((() => "later") as never, 1, null), TypeError);
});

Deno.test("bad strategies are refused, naming where, field and value", () => {
  assert.throws(() => fixed(-1), /fixed: backoff delay must be a whole number of ms >= 0, got -1/);
  assert.throws(() => exponential(0), /base must be .* >= 1, got 0/);
  assert.throws(() => exponential(100, { max: 50 }), /max must be .* >= 100, got 50/);
  assert.throws(() => exponential(100, { factor: 0.5 }), /factor must be from 1 to 100/);
  assert.throws(() => exponential(100, { jitter: "some" as Jitter }), /jitter must be one of/);
  assert.throws(() => schedule([]), /delays must be a list/);
  assert.throws(() => schedule([1, 2.5]), /delays\[1\] must be a whole number/);
  assert.throws(
    () => checkBackoff({ type: "linear" }, 'define("f")'),
    /define\("f"\): backoff must be/,
  );
  assert.throws(
    () => checkBackoff({ type: "fixed", delay: 1, jitter: "full" }, "w"),
    /no field "jitter"/,
  );
  assert.throws(() => checkRetryOptions({ attempts: 0 }, "w"), RangeError);
  assert.throws(() => checkRetryOptions({ tries: 3 }, "w"), /retry has no option "tries"/);
  assert.deepEqual(checkRetryOptions({ attempts: 5, backoff: fixed(1) }, "w"), {
    attempts: 5,
    backoff: { type: "fixed", delay: 1 },
  });
});

Deno.test("declarative backoffs travel as JSON; functions cannot", () => {
  const b = exponential(100, { jitter: "full" });
  assert.deepEqual(decodeBackoff(encodeBackoff(b, "enqueue")), b);
  assert.equal(decodeBackoff(null), null);
  assert.equal(decodeBackoff("{nope"), null);
  assert.throws(() => encodeBackoff(() => 1, "enqueue"), /cannot travel with a job/);
});
