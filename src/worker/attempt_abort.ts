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

  /**
   * An abort that follows `signal` (aborted now when it is, later when it aborts) until
   * `unfollow` is called.
   */
  static following(signal: AbortSignal): { abort: AttemptAbort; unfollow: () => void } {
    const abort = new AttemptAbort();
    const follow = () => abort.abort(signal.reason);
    if (signal.aborted) follow();
    else signal.addEventListener("abort", follow, { once: true });
    return { abort, unfollow: () => signal.removeEventListener("abort", follow) };
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
   * Aborts with `reason` (an `AbortError` `DOMException` when it is null or undefined), telling
   * the listener and the signal; a second abort changes nothing.
   */
  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const why = reason ?? new DOMException("aborted", "AbortError");
    this.#reason = why;
    this.#controller?.abort(why);
    const listener = this.#listener;
    this.#listener = null;
    listener?.(why);
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
