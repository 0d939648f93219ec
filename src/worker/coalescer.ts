/**
 * Coalesces single calls into batch calls: while a batch call is in flight, new items queue up
 * and go together in the next one. No timer, so a lone item goes at once, and under load many go
 * per call.
 *
 * With `maxInFlight` above 1 the calls are pipelined: items that arrive in one turn of the
 * microtask queue are split over the free slots, so the next batch is built and sent while the
 * store still works on the one before (a producer and its store take turns otherwise, each idle
 * while the other works). Batches go out in the order their items came.
 *
 * @module
 */

/** How a coalescer sends its batches. */
export interface CoalescerOptions {
  /**
   * How many batch calls may be in flight at once (default 1: the next batch waits for the
   * answer to the last). Above 1, a batch waits for the end of the current microtask turn, so
   * the items of one burst share it.
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
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      if (this.#inFlight.size > 0) await Promise.allSettled(this.#inFlight);
      else await Promise.resolve(); // a scheduled send runs in this microtask turn
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
      batch.forEach((entry, i) => entry.done.resolve(results[i]!));
    } catch (error) {
      for (const entry of batch) entry.done.reject(error);
    }
  }
}
