/**
 * Coalesces single calls into batch calls: while a batch call is in flight, new items queue up
 * and go together in the next one. No timer, so a lone item goes at once (with `maxInFlight`
 * above 1, after the current microtask), and under load many go per call.
 *
 * With `maxInFlight` above 1 the calls are pipelined: the items queued when a send runs are split
 * over the free slots, so the next batch is built and sent while the store still works on the one
 * before (a producer and its store take turns otherwise, each idle while the other works).
 * Batches are sent in the order their items came; a store that runs the calls of one connection
 * in order stores them in that order.
 *
 * @module
 */

/** How a coalescer sends its batches. */
export interface CoalescerOptions {
  /**
   * How many batch calls may be in flight at once (default 1: the next batch waits for the
   * answer to the last). Above 1, a send is queued as a microtask, so the items added
   * synchronously before it runs (one burst) share its batches.
   */
  maxInFlight?: number;
}

type Entry<T, R> = { item: T; done: PromiseWithResolvers<R> };

/** Batches items for `write`, which answers one result per item, in order. */
export class Coalescer<T, R> {
  #write: (items: T[]) => Promise<R[]>;
  #maxInFlight: number;
  #queue: Entry<T, R>[] = [];
  #inFlight = new Set<Promise<void>>();
  #scheduled = false;

  /** `write` takes a batch and resolves with one result per item. */
  constructor(write: (items: T[]) => Promise<R[]>, options: CoalescerOptions = {}) {
    const maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a whole number >= 1, got ${maxInFlight}`);
    }
    this.#write = write;
    this.#maxInFlight = maxInFlight;
  }

  /** Queues `item`; resolves with its result, or rejects with the batch call's error. */
  add(item: T): Promise<R> {
    const done = Promise.withResolvers<R>();
    this.#queue.push({ item, done });
    this.#kick();
    return done.promise;
  }

  /**
   * Queues many items, to go together in the next call (with `maxInFlight` above 1 they may be
   * split over the free slots, in order); resolves with their results.
   */
  addAll(items: readonly T[]): Promise<R[]> {
    const promises = items.map((item) => {
      const done = Promise.withResolvers<R>();
      this.#queue.push({ item, done });
      return done.promise;
    });
    this.#kick();
    return Promise.all(promises);
  }

  /**
   * Resolves when nothing is queued and no call is in flight: every item queued so far is
   * written, and so is any item added while it waits.
   */
  async drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      if (this.#inFlight.size === 0) this.#kick(); // sends, or a send is queued already
      if (this.#inFlight.size > 0) await Promise.allSettled(this.#inFlight);
      else await new Promise<void>((resolve) => queueMicrotask(resolve)); // after that send
    }
  }

  #kick(): void {
    if (this.#queue.length === 0 || this.#inFlight.size >= this.#maxInFlight) return;
    if (this.#maxInFlight === 1) return this.#send(this.#take(this.#queue.length));
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const slots = Math.min(this.#maxInFlight - this.#inFlight.size, this.#queue.length);
      for (let left = slots; left > 0; left--) {
        this.#send(this.#take(Math.ceil(this.#queue.length / left)));
      }
    });
  }

  #take(count: number): Entry<T, R>[] {
    if (count === this.#queue.length) {
      const all = this.#queue;
      this.#queue = [];
      return all;
    }
    return this.#queue.splice(0, count);
  }

  #send(batch: Entry<T, R>[]): void {
    if (batch.length === 0) return;
    const call = this.#call(batch).finally(() => {
      this.#inFlight.delete(call);
      this.#kick(); // the items that queued while every slot was busy
    });
    this.#inFlight.add(call);
  }

  async #call(batch: Entry<T, R>[]): Promise<void> {
    try {
      const results = await this.#write(batch.map((entry) => entry.item));
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new Error(
          `coalescer: the batch call answered ${
            Array.isArray(results) ? results.length : typeof results
          } results for ${batch.length} items`,
        );
      }
      batch.forEach((entry, i) => entry.done.resolve(results[i]!));
    } catch (error) {
      for (const entry of batch) entry.done.reject(error);
    }
  }
}
