/**
 * Waiters for new work, keyed by the names they listen to (queue names in memory, wake channels
 * in Redis): each resolves on a matching wake, after its timeout, on abort, or on `wakeAll`.
 * Both stores' `waitForWork` use it.
 *
 * @module
 */

interface Waiter {
  names: ReadonlySet<string>;
  wake(): void;
}

/** The pending `waitForWork` calls of one store. */
export class Waiters {
  #waiters = new Set<Waiter>();

  /** Resolves on a `wake` of one of `names`, after `timeoutMs`, or when `signal` aborts. */
  wait(names: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        names: new Set(names),
        wake: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", waiter.wake);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      signal?.addEventListener("abort", waiter.wake, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Wakes every waiter listening to one of `names`. */
  wake(names: Iterable<string>): void {
    const woken = new Set(names);
    if (woken.size === 0) return;
    for (const waiter of [...this.#waiters]) {
      for (const name of woken) {
        if (waiter.names.has(name)) {
          waiter.wake();
          break;
        }
      }
    }
  }

  /** Wakes every waiter (the store closes). */
  wakeAll(): void {
    for (const waiter of [...this.#waiters]) waiter.wake();
  }
}
