/**
 * One reader of the store's shared event stream per engine, fanned out to every subscriber in
 * the process (streams, result waits): the reader runs while someone listens, one waiting read
 * at a time, from the newest event on.
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { StoredEvent } from "../store/observations.ts";
import type { Store } from "../store/store.ts";

/** How long one waiting read of the feed lasts (ms); the loop reads again after it. */
const READ_WAIT_MS = 1_000;

/** A live feed of the store's events. */
export class EventFeed {
  #store: Store;
  #logger: Logger;
  #listeners = new Set<(event: StoredEvent) => void>();
  #reading: Promise<void> | null = null;
  #stop = new AbortController();
  #started: Promise<void> | null = null;

  /** Reads `store`'s events; logs read failures to `logger`. */
  constructor(store: Store, logger: Logger) {
    this.#store = store;
    this.#logger = logger;
  }

  /**
   * Calls `listener` with every event recorded from now on; resolves (to the function that
   * unsubscribes) once the feed reads, so nothing recorded after that is missed.
   */
  async subscribe(listener: (event: StoredEvent) => void): Promise<() => void> {
    this.#listeners.add(listener);
    if (!this.#reading) {
      const started = Promise.withResolvers<void>();
      this.#started = started.promise;
      this.#reading = this.#read(started.resolve).finally(() => this.#reading = null);
    }
    await this.#started;
    return () => this.#listeners.delete(listener);
  }

  /** Stops reading. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#reading;
  }

  async #read(started: () => void): Promise<void> {
    const signal = this.#stop.signal;
    let last: string | null = null;
    let delay = 100;
    while (this.#listeners.size > 0 && !signal.aborted) {
      try {
        if (last === null) {
          last = (await this.#store.readEvents()).last;
          started();
        }
        const batch = await this.#store.readEvents({ after: last, waitMs: READ_WAIT_MS, signal });
        for (const event of batch.events) {
          for (const listener of this.#listeners) listener(event);
        }
        last = batch.last;
        delay = 100;
      } catch (error) {
        this.#logger.warn("reading the event stream failed; retrying", { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
    started();
  }
}
