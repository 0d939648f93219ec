/**
 * How the benchmark drives a system, independent of which: a bounded pool of in-flight calls, a
 * countdown of completions with a stall watchdog, and the sequential enqueue-and-wait loop of the
 * latency measurement.
 *
 * @module
 */

/** Calls `call(i)` for i in [0, count) with at most `inflight` calls pending at once. */
export async function runPool(
  count: number,
  inflight: number,
  call: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inflight, count) }, lane));
}

/**
 * Counts completions down to zero. `done` rejects on `fail(error)`, or when no completion arrives
 * for `stallMs` (so a broken system fails the run instead of hanging it).
 */
export class Countdown {
  /** Resolves when `tick` was called `total` times. */
  readonly done: Promise<void>;
  #left: number;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  #watchdog: ReturnType<typeof setInterval>;
  #lastTick = performance.now();

  /**
   * Expects `total` ticks; `what` names the run in the stall error, to which `diagnose` (when
   * given) adds what the system logged.
   */
  constructor(total: number, what: string, stallMs = 30_000, diagnose?: () => string) {
    this.#left = total;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => {}); // a failure before anyone awaits is not an unhandled rejection
    this.#watchdog = setInterval(() => {
      if (performance.now() - this.#lastTick > stallMs) {
        const detail = diagnose?.() ?? "";
        this.fail(
          new Error(
            `${what}: no completion for ${stallMs} ms, ${this.#left} jobs left` +
              (detail ? `; ${detail}` : ""),
          ),
        );
      }
    }, 1_000);
    if (total <= 0) this.#finish();
  }

  /** Records one completion. */
  tick(): void {
    this.#lastTick = performance.now();
    if (--this.#left === 0) this.#finish();
  }

  /** Expects `n` more ticks (call it before the count reaches zero). */
  more(n: number): void {
    this.#left += n;
  }

  /** Fails `done` with `error`. */
  fail(error: unknown): void {
    clearInterval(this.#watchdog);
    this.#reject(error);
  }

  #finish(): void {
    clearInterval(this.#watchdog);
    this.#resolve();
  }
}

/** Jobs run before the latency samples are taken, and not recorded. */
export const LATENCY_WARMUP_JOBS = 20;

/**
 * The latency loop: for each job, starts a countdown of one, enqueues the job, and waits for the
 * completion (reported by calling the `tick` of the countdown passed to `enqueue`). Returns the
 * enqueue-to-completion times in ms. `enqueue` must make the completion call `countdown.tick()`.
 */
export async function sequentialLatencies(
  jobs: number,
  what: string,
  enqueue: (i: number, countdown: Countdown) => Promise<unknown>,
  diagnose?: () => string,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const countdown = new Countdown(1, what, 10_000, diagnose);
    const start = performance.now();
    await enqueue(i, countdown);
    await countdown.done;
    latencies.push(performance.now() - start);
  }
  return latencies;
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
