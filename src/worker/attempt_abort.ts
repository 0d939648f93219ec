/**
 * The stop of one attempt: how a node aborts a running job (cancelled, lease lost, shutdown),
 * and how the attempt's guard aborts the handler's `ctx.signal` (a deadline, or the node's stop).
 * An `AbortController` and a listener on its signal for every job cost more than a no-op job
 * itself, and most handlers never look at their signal: this keeps the reason and one listener in
 * plain fields and makes an `AbortSignal` only when someone asks for one.
 *
 * @module
 */

/** An abort that makes its `AbortSignal` on demand. */
export class AttemptAbort {
  #aborted = false;
  #reason: unknown = undefined;
  #controller: AbortController | null = null;
  #listener: ((reason: unknown) => void) | null = null;

  /** An abort that follows `signal` (aborted now when it is, later when it aborts). */
  static following(signal: AbortSignal): AttemptAbort {
    const abort = new AttemptAbort();
    if (signal.aborted) abort.abort(signal.reason);
    else signal.addEventListener("abort", () => abort.abort(signal.reason), { once: true });
    return abort;
  }

  /** True once aborted. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why it was aborted (undefined before). */
  get reason(): unknown {
    return this.#reason;
  }

  /** An `AbortSignal` that aborts with it (made on first use, aborted already when it is). */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /**
   * Aborts with `reason` (default: an `AbortError` `DOMException`), telling the listener and the
   * signal; a second abort changes nothing.
   */
  abort(reason: unknown = new DOMException("aborted", "AbortError")): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listener = this.#listener;
    this.#listener = null;
    listener?.(reason);
  }

  /**
   * Calls `listener` once with the reason when it aborts (at once when it has); null stops
   * listening. One listener at a time: the party running the attempt.
   */
  listen(listener: ((reason: unknown) => void) | null): void {
    if (listener !== null && this.#listener !== null) {
      throw new Error("AttemptAbort: it has a listener already");
    }
    if (listener !== null && this.#aborted) return listener(this.#reason);
    this.#listener = listener;
  }
}
