/**
 * Coalesces single calls into batch calls: while one batch call is in flight, new items queue up
 * and go together in the next one. No timer, so a lone item goes at once, and under load many go
 * per call.
 *
 * @module
 */

/** Batches items for `write`, which answers one result per item, in order. */
export class Coalescer<T, R> {
  #write: (items: T[]) => Promise<R[]>;
  #queue: { item: T; done: PromiseWithResolvers<R> }[] = [];
  #flushing: Promise<void> | null = null;

  /** `write` takes a batch and resolves with one result per item. */
  constructor(write: (items: T[]) => Promise<R[]>) {
    this.#write = write;
  }

  /** Queues `item`; resolves with its result, or rejects with the batch call's error. */
  add(item: T): Promise<R> {
    const done = Promise.withResolvers<R>();
    this.#queue.push({ item, done });
    this.#kick();
    return done.promise;
  }

  /** Queues many items, to go in one call (or with the next one); resolves with their results. */
  addAll(items: readonly T[]): Promise<R[]> {
    const promises = items.map((item) => {
      const done = Promise.withResolvers<R>();
      this.#queue.push({ item, done });
      return done.promise;
    });
    this.#kick();
    return Promise.all(promises);
  }

  /** Resolves when every item queued so far is written. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  #kick(): void {
    if (this.#flushing || this.#queue.length === 0) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = null;
      this.#kick(); // items added after the flush loop's last turn, before this callback ran
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        const results = await this.#write(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.done.resolve(results[i]!));
      } catch (error) {
        for (const entry of batch) entry.done.reject(error);
      }
    }
  }
}
