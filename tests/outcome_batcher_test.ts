/**
 * The node's `OutcomeBatcher` against a scripted store: what queues while a write is in flight
 * goes in the next call; a failed write is sent again within each outcome's own window, then
 * given up; an `onWritten` or `onError` that throws neither stops the writing nor hangs `drain`.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Completion, Reservation, Store } from "../store.ts";
import { Status, type StatusCode } from "../src/job/status.ts";
import { OutcomeBatcher, type PendingOutcome } from "../src/worker/outcome_batcher.ts";

/** A store whose `complete` answers OK per item, after failing `failures` calls. */
class ScriptedStore {
  calls: string[][] = [];
  failures = 0;
  complete(items: Completion[]): Promise<StatusCode[]> {
    this.calls.push(items.map((item) => item.id));
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error("connection lost"));
    }
    return Promise.resolve(items.map(() => Status.OK));
  }
}

/** `batcher.drain()`, failing the test (rather than hanging it) if it has not settled in 5 s. */
async function drained(batcher: OutcomeBatcher): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("drain() did not settle")), 5_000);
  });
  try {
    await Promise.race([batcher.drain(), late]);
  } finally {
    clearTimeout(timer);
  }
}

function completed(id: string): PendingOutcome {
  const job = { id, token: `${id}.token` } as Reservation;
  return { job, outcome: { kind: "completed", result: null }, durationMs: 1 };
}

Deno.test("OutcomeBatcher: what queues while a write is in flight goes together next", async () => {
  const store = new ScriptedStore();
  const written: string[] = [];
  const batcher = new OutcomeBatcher(
    store as unknown as Store,
    (pending, { status }) => written.push(`${pending.job.id}:${status}`),
    (error) => assert.fail(String(error)),
  );
  for (const id of ["a", "b", "c"]) batcher.add(completed(id));
  await drained(batcher);
  assert.deepEqual(store.calls, [["a"], ["b", "c"]]);
  assert.deepEqual(written, ["a:0", "b:0", "c:0"]);
});

Deno.test("OutcomeBatcher: a failed write is sent again within the window, then given up", async () => {
  const store = new ScriptedStore();
  store.failures = 2;
  const written: string[] = [];
  const batcher = new OutcomeBatcher(
    store as unknown as Store,
    (pending) => written.push(pending.job.id),
    (error) => assert.fail(String(error)),
    1_000,
  );
  batcher.add(completed("a"));
  await drained(batcher);
  assert.deepEqual(store.calls, [["a"], ["a"], ["a"]], "sent three times");
  assert.deepEqual(written, ["a"]);

  const lost: [string, number][] = [];
  const never = new OutcomeBatcher(
    { complete: () => Promise.reject(new Error("down")) } as unknown as Store,
    () => assert.fail("nothing is written"),
    (error, count) => lost.push([(error as Error).message, count]),
    120,
  );
  never.add(completed("b"));
  await drained(never);
  assert.deepEqual(lost, [["down", 1]], "given up once its window closed");
});

Deno.test("OutcomeBatcher: a throwing onWritten or onError stops nothing and drain settles", async () => {
  const store = new ScriptedStore();
  const seen: string[] = [];
  const reported: number[] = [];
  const batcher = new OutcomeBatcher(
    store as unknown as Store,
    (pending) => {
      seen.push(pending.job.id);
      if (pending.job.id === "b") throw new Error("a listener broke");
    },
    (_error, count) => {
      reported.push(count);
      throw new Error("and so did the error handler");
    },
  );
  for (const id of ["a", "b", "c", "d"]) batcher.add(completed(id));
  await drained(batcher);
  assert.deepEqual(seen, ["a", "b", "c", "d"], "the outcomes after the throw are handled");
  assert.deepEqual(reported, [0], "reported as written (count 0)");

  const failing = new OutcomeBatcher(
    { complete: () => Promise.reject(new Error("down")) } as unknown as Store,
    () => {},
    () => {
      throw new Error("the error handler broke");
    },
  );
  failing.add(completed("e"));
  await drained(failing); // hung when the throw kept the outcome unsettled
});
