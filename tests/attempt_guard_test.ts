/**
 * `guardAttempt`: a handler that returns without a promise is answered at once (no promise), one stopped
 * before it started sees its signal aborted, and one that returns a promise is guarded (the
 * node's abort reaches its signal; it is abandoned after the grace, or times out at its
 * deadline).
 *
 * @module
 */
import assert from "node:assert/strict";
import { AttemptAbort } from "../src/worker/attempt_abort.ts";
import { guardAttempt, type SettledAttempt } from "../src/worker/attempt_guard.ts";
import { TimeoutError } from "../src/worker/isolate_errors.ts";

const job = { id: "j1", name: "f" };

/** The attempt of a handler that returned a promise: guarded, so itself a promise. */
function pending<R>(attempt: SettledAttempt<R> | Promise<R>): Promise<R> {
  assert.ok(attempt instanceof Promise, "a handler's promise is guarded by a promise");
  return attempt;
}

Deno.test("guardAttempt: a handler's value or thrown error without a promise is the answer, at once", () => {
  const abort = new AttemptAbort();
  assert.deepEqual(guardAttempt(() => 42, { job, abort, timeoutMs: 10 }), { ok: true, value: 42 });
  const error = new Error("boom");
  const thrown = guardAttempt(() => {
    throw error;
  }, { job, abort, timeoutMs: undefined });
  assert.ok(!(thrown instanceof Promise) && !thrown.ok && thrown.error === error);
  // nothing listens to the node's abort once the attempt settled: another attempt may
  assert.doesNotThrow(() => abort.listen(() => {}));
});

Deno.test("guardAttempt: a value whose `then` throws when read fails the attempt, never the caller", () => {
  const error = new Error("then getter");
  const attempt = guardAttempt(() => ({
    get then(): never {
      throw error;
    },
  }), { job, abort: new AttemptAbort(), timeoutMs: 10 });
  assert.ok(!(attempt instanceof Promise) && !attempt.ok && attempt.error === error);
});

Deno.test("guardAttempt: a handler started after the node's abort sees its signal aborted", () => {
  const abort = new AttemptAbort();
  const reason = new DOMException("job cancelled", "AbortError");
  abort.abort(reason);
  const seen = guardAttempt(
    (inner) => ({ aborted: inner.signal.aborted, reason: inner.reason }),
    { job, abort, timeoutMs: undefined },
  );
  assert.deepEqual(seen, { ok: true, value: { aborted: true, reason } });
});

Deno.test("guardAttempt: the node's abort reaches a running handler's signal; ignored, it is abandoned", async () => {
  const abort = new AttemptAbort();
  const reason = new DOMException("lease lost", "AbortError");
  const heeded = pending(guardAttempt(
    (inner) =>
      new Promise<never>((_, reject) =>
        inner.signal.addEventListener("abort", () => reject(inner.reason))
      ),
    { job, abort, timeoutMs: undefined },
  ));
  abort.abort(reason);
  await assert.rejects(heeded, (e) => e === reason);

  const ignoring = new AttemptAbort();
  const abandoned = pending(guardAttempt(() => new Promise<never>(() => {}), {
    job,
    abort: ignoring,
    timeoutMs: undefined,
    cancelGraceMs: 5,
  }));
  ignoring.abort(reason);
  await assert.rejects(abandoned, (e) => e === reason);
});

Deno.test("guardAttempt: a handler whose promise outlives its deadline times out, then is abandoned", async () => {
  const abort = new AttemptAbort();
  let signalled: unknown = null;
  const attempt = pending(guardAttempt((inner) => {
    inner.listen((why) => (signalled = why));
    return new Promise<never>(() => {});
  }, { job, abort, timeoutMs: 5, abortGraceMs: 5 }));
  await assert.rejects(
    attempt,
    (e) => e instanceof TimeoutError && /stopped waiting for it/.test(e.message),
  );
  assert.ok(signalled instanceof TimeoutError, "the handler's signal was aborted at the deadline");
});
