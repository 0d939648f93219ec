/**
 * Clocks: every time-dependent decision in Sluice reads an injectable clock.
 *
 * @module
 */

/** A source of wall-clock time in epoch milliseconds. */
export interface Clock {
  /** The current time, epoch milliseconds. */
  now(): number;
}

/** The real clock (`Date.now`). */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that moves only when told to: for tests of delays, leases and aging. */
export class ManualClock implements Clock {
  #now: number;

  /** Starts at `start` epoch milliseconds (default: a fixed instant, 2026-01-01). */
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** The current fake time. */
  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    this.#now += ms;
  }

  /** Sets the clock to `epochMs`; it never moves backwards. */
  set(epochMs: number): void {
    if (epochMs < this.#now) {
      throw new RangeError(`ManualClock.set: time cannot go back (${epochMs} < ${this.#now})`);
    }
    this.#now = epochMs;
  }
}

/** Resolves after `ms` milliseconds (real time), or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Resolves to `promise`'s value, or rejects when it takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
