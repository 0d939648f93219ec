/**
 * Timeouts and cancellation of an inline attempt. The handler sees one signal, aborted at its
 * deadline or when the node aborts the job (cancelled, lease lost, shutdown). A handler that
 * settles is believed; one that ignores its signal is abandoned after a grace period: the
 * attempt then fails (with a `TimeoutError` at a deadline, with the node's reason otherwise) and
 * the slot is free again, while the abandoned code runs on unobserved (only an isolate can be
 * stopped for real).
 *
 * @module
 */
import { AttemptAbort } from "./attempt_abort.ts";
import { TimeoutError } from "./isolate_errors.ts";

/** Default time a handler may run on after its deadline aborted its signal (ms). */
export const DEFAULT_ABORT_GRACE_MS = 1_000;

/** Default time a handler may run on after a cancellation aborted its signal (ms). */
export const DEFAULT_CANCEL_GRACE_MS = 10_000;

/** What guards one attempt. */
export interface AttemptGuard {
  /** The job (for the `TimeoutError`). */
  job: { id: string; name: string };
  /** The node's stop of this job: cancellation, a lost lease, shutdown. */
  abort: AttemptAbort;
  /** The attempt's deadline from now (ms), or undefined for none. */
  timeoutMs: number | undefined;
  /** Grace after the deadline (default `DEFAULT_ABORT_GRACE_MS`). */
  abortGraceMs?: number;
  /** Grace after the node's abort (default `DEFAULT_CANCEL_GRACE_MS`). */
  cancelGraceMs?: number;
}

/** An attempt whose handler settled as it ran: what it returned, or what it threw. */
export type SettledAttempt<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Runs `handler` with the guarded abort (the handler's signal is its `signal`). A handler that
 * returns (or throws) without a promise is answered at once, as a `SettledAttempt`; one that
 * returns a promise gets a promise that settles with its value or error, except: an error after the deadline becomes a `TimeoutError` (the
 * handler's error as its cause); a handler still running a grace period after an abort is
 * abandoned (see the module doc).
 *
 * The handler runs now. One that returns (or throws) without a promise has settled before
 * anything could stop it (no timer or abort can fire while it runs), so only a handler that
 * returns a promise gets the timers and the listener, its deadline counted from its start: most
 * handlers of short jobs are done by then, and the guard's promise, closures and timers would
 * cost more than they do. Nor does the answer wait for a turn of the event loop: the caller
 * carries on with it in the same turn.
 */
export function guardAttempt<R>(
  handler: (abort: AttemptAbort) => R | Promise<R>,
  guard: AttemptGuard,
): SettledAttempt<R> | Promise<R> {
  const inner = new AttemptAbort();
  if (guard.abort.aborted) inner.abort(guard.abort.reason); // stopped before it started
  const started = guard.timeoutMs === undefined ? 0 : performance.now();
  let value: R | PromiseLike<R>;
  try {
    value = handler(inner);
    if (!isPromiseLike(value)) return { ok: true, value }; // reads `then`, which may throw
  } catch (error) {
    return { ok: false, error };
  }
  return new GuardedAttempt(value, inner, guard, started).settled;
}

/**
 * One guarded attempt whose handler returned a promise: its own state and methods rather than
 * closures, and it listens to the node's abort until it settles.
 */
class GuardedAttempt<R> {
  /** Settles with the attempt. */
  readonly settled: Promise<R>;
  #guard: AttemptGuard;
  #inner: AttemptAbort;
  #timers: ReturnType<typeof setTimeout>[] | null = null;
  #timedOut = false;
  #done = false;
  #resolve!: (value: R) => void;
  #reject!: (error: unknown) => void;

  /** Guards `running`, the promise of a handler that started at `started` (`performance.now()`). */
  constructor(running: PromiseLike<R>, inner: AttemptAbort, guard: AttemptGuard, started: number) {
    this.#guard = guard;
    this.#inner = inner;
    this.settled = new Promise<R>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const { job, timeoutMs } = guard;
    if (timeoutMs !== undefined) {
      this.#after(Math.max(0, started + timeoutMs - performance.now()), () => {
        this.#timedOut = true;
        this.#inner.abort(new TimeoutError(job.id, job.name, timeoutMs, false));
        this.#abandonAfter(
          guard.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS,
          new TimeoutError(job.id, job.name, timeoutMs, "abandoned"),
        );
      });
    }
    guard.abort.listen((reason) => this.#aborted(reason));
    Promise.resolve(running).then(
      (result) => this.#end() && this.#resolve(result),
      (error) => this.#fail(error),
    );
  }

  /** The node aborted the job: abort the handler's signal, abandon it after the grace. */
  #aborted(reason: unknown): void {
    this.#inner.abort(reason);
    this.#abandonAfter(this.#guard.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS, reason);
  }

  #fail(error: unknown): void {
    if (!this.#end()) return;
    const { job, timeoutMs } = this.#guard;
    this.#reject(
      this.#timedOut && !(error instanceof TimeoutError)
        ? Object.assign(new TimeoutError(job.id, job.name, timeoutMs!, false), { cause: error })
        : error,
    );
  }

  /** Ends the attempt (timers cleared, the node's abort no longer heard); false if it had. */
  #end(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.#timers?.forEach(clearTimeout);
    this.#guard.abort.listen(null);
    return true;
  }

  #abandonAfter(ms: number, error: unknown): void {
    this.#after(ms, () => this.#end() && this.#reject(error));
  }

  #after(ms: number, fn: () => void): void {
    (this.#timers ??= []).push(setTimeout(fn, ms));
  }
}

/** True when `value` is a promise or another thenable (settled by adopting it). */
function isPromiseLike<R>(value: R | PromiseLike<R>): value is PromiseLike<R> {
  if (value instanceof Promise) return true;
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  return typeof (value as { then?: unknown }).then === "function";
}
