/**
 * `AttemptAbort` (the stop of one attempt, its `AbortSignal` made on demand) and the handler's
 * `ctx` built on it: its signal, logger and progress read lazily, also by destructuring.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { define, silentLogger } from "../mod.ts";
import { runJob } from "../testing.ts";
import { AttemptAbort } from "../src/worker/attempt_abort.ts";

Deno.test("AttemptAbort: the listener hears the reason once; a signal made later is aborted", () => {
  const abort = new AttemptAbort();
  const heard: unknown[] = [];
  abort.listen((reason) => heard.push(reason));
  assert.throws(() => abort.listen(() => {}), /has a listener already/);
  const reason = new DOMException("lease lost", "AbortError");
  abort.abort(reason);
  abort.abort(new Error("later"));
  assert.deepEqual(heard, [reason]);
  assert.equal(abort.aborted, true);
  assert.equal(abort.reason, reason);
  assert.equal(abort.signal.aborted, true, "made after the abort, the signal is aborted");
  assert.equal(abort.signal.reason, reason);
  const late: unknown[] = [];
  abort.listen((r) => late.push(r));
  assert.deepEqual(late, [reason], "a listener set after the abort hears it at once");
});

Deno.test("AttemptAbort: a signal made before the abort aborts with it; null stops listening", () => {
  const abort = new AttemptAbort();
  const signal = abort.signal;
  assert.equal(signal.aborted, false);
  let heard = 0;
  abort.listen(() => heard++);
  abort.listen(null);
  abort.abort(null);
  assert.equal(signal.aborted, true);
  assert.equal((signal.reason as DOMException).name, "AbortError");
  assert.equal(heard, 0);
});

Deno.test("AttemptAbort.following: follows a signal aborted before or after", () => {
  const before = new AbortController();
  before.abort("early");
  assert.equal(AttemptAbort.following(before.signal).abort.reason, "early");
  const after = new AbortController();
  const { abort } = AttemptAbort.following(after.signal);
  assert.equal(abort.aborted, false);
  after.abort("late");
  assert.equal(abort.reason, "late");
  const unfollowed = new AbortController();
  const left = AttemptAbort.following(unfollowed.signal);
  left.unfollow();
  unfollowed.abort("unheard");
  assert.equal(left.abort.aborted, false, "unfollowed, it no longer listens");
});

Deno.test("ctx: signal, log, progress and resultsOf work destructured, as properties do", async () => {
  const Other = define({ name: "other", payload: z.object({}) }, () => 1);
  const Destructure = define(
    { name: "destructure", payload: z.object({}) },
    (_payload, { signal, log, progress, resultsOf, snooze, id }) => {
      log("plain");
      log.warn("warned");
      progress(40);
      assert.equal(typeof snooze, "function");
      return { aborted: signal.aborted, results: resultsOf(Other).length, id: typeof id };
    },
  );
  const heard: number[] = [];
  const result = await runJob(Destructure, {}, {
    logger: silentLogger,
    onProgress: (percent) => heard.push(percent),
  });
  assert.deepEqual(result, { aborted: false, results: 0, id: "string" });
  assert.deepEqual(heard, [40]);
});
