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
import { TimeoutError } from "./isolate_errors.ts";

/** Default time a handler may run on after its deadline aborted its signal (ms). */
export const DEFAULT_ABORT_GRACE_MS = 1_000;

/** Default time a handler may run on after a cancellation aborted its signal (ms). */
export const DEFAULT_CANCEL_GRACE_MS = 10_000;

/** What guards one attempt. */
export interface AttemptGuard {
  /** The job (for the `TimeoutError`). */
  job: { id: string; name: string };
  /** The node's signal for this job: cancellation, a lost lease, shutdown. */
  signal: AbortSignal;
  /** The attempt's deadline from now (ms), or undefined for none. */
  timeoutMs: number | undefined;
  /** Grace after the deadline (default `DEFAULT_ABORT_GRACE_MS`). */
  abortGraceMs?: number;
  /** Grace after the node's abort (default `DEFAULT_CANCEL_GRACE_MS`). */
  cancelGraceMs?: number;
}

/**
 * Runs `handler` with the guarded signal. Settles with the handler's value or error, except:
 * an error after the deadline becomes a `TimeoutError` (the handler's error as its cause); a
 * handler still running a grace period after an abort is abandoned (see the module doc).
 */
export function guardAttempt<R>(
  handler: (signal: AbortSignal) => R | Promise<R>,
  guard: AttemptGuard,
): Promise<R> {
  const { job, signal, timeoutMs } = guard;
  const inner = new AbortController();
  const timers: ReturnType<typeof setTimeout>[] = [];
  let timedOut = false;
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      signal.removeEventListener("abort", onAbort);
      done();
    };
    const abandonAfter = (ms: number, error: unknown): void => {
      timers.push(setTimeout(() => settle(() => reject(error)), ms));
    };
    const onAbort = (): void => {
      const reason = signal.reason ?? new DOMException("aborted", "AbortError");
      inner.abort(reason);
      abandonAfter(guard.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS, reason);
    };
    if (timeoutMs !== undefined) {
      timers.push(setTimeout(() => {
        timedOut = true;
        inner.abort(new TimeoutError(job.id, job.name, timeoutMs, false));
        abandonAfter(
          guard.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS,
          new TimeoutError(job.id, job.name, timeoutMs, "abandoned"),
        );
      }, timeoutMs));
    }
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve().then(() => handler(inner.signal)).then(
      (value) => settle(() => resolve(value)),
      (error) =>
        settle(() =>
          reject(
            timedOut && !(error instanceof TimeoutError)
              ? Object.assign(new TimeoutError(job.id, job.name, timeoutMs!, false), {
                cause: error,
              })
              : error,
          )
        ),
    );
  });
}
