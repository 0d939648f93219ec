/**
 * A latched wake-up for one waiter: a `notify()` that comes while nobody waits is kept, so the
 * next `wait()` returns at once. A loop calls `clear()` right before it looks at the state it
 * waits on; any change after that look wakes its next `wait()` (no lost wake-ups).
 *
 * @module
 */

/** A latched wake-up; see the module doc. */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | null = null;

  /** Wakes the waiter, or the next one if nobody waits now. */
  notify(): void {
    this.#pending = true;
    const resolve = this.#resolve;
    this.#resolve = null;
    resolve?.();
  }

  /** Forgets notifications that came so far. */
  clear(): void {
    this.#pending = false;
  }

  /** Resolves at the first notification since the last `clear()` or `wait()`. */
  wait(): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.#resolve = resolve));
  }
}
