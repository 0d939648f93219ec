/**
 * Records attempt outcomes in batches: while one store call is in flight, new outcomes queue up
 * and go together in the next call, as a `Coalescer` does, with one promise per call rather than
 * per outcome. No timer, so a lone outcome is written at once, and under load many go per call.
 * An outcome whose write fails (Redis unreachable or full, or the connection dropped with the
 * reply in flight) is sent again, backing off, for up to the retry window: the write is fenced by the lease token and idempotent (a completion delivered
 * twice is OK, a stale token changes nothing), so the job does not run again for a lost reply.
 *
 * @module
 */
import type { Reservation } from "../job/job.ts";
import type { StatusCode } from "../job/status.ts";
import type { Completion, Failure, Store, TransitionOutcome } from "../store/store.ts";
import type { AttemptOutcome } from "./run_job.ts";

/** One finished attempt waiting to be written. */
export interface PendingOutcome {
  /** The reservation the attempt ran under. */
  job: Reservation;
  /** What the attempt produced. */
  outcome: AttemptOutcome;
  /** How long the handler ran (ms). */
  durationMs: number;
}

/** Called once per written outcome with what the store said. */
export type OutcomeWritten = (
  pending: PendingOutcome,
  result: { status: StatusCode; state?: string },
) => void;

/** An outcome in a write queue: its retry window's end and the wait before its next try. */
interface Queued {
  pending: PendingOutcome;
  until: number;
  delay: number;
}

/** First and longest wait before an outcome whose write failed is sent again (ms). */
const FIRST_RETRY_MS = 50;
const LONGEST_RETRY_MS = 1_000;

/**
 * One write queue (completions, or failures): everything queued goes in the next call, one
 * call in flight. A whole batch is one store call and one promise, not one per outcome (a busy
 * node writes thousands a second). Outcomes of a failed call are queued again after their wait
 * (doubling, up to a second) while their retry window is open, and given up after it.
 */
class WriteQueue<R> {
  #write: (batch: PendingOutcome[]) => Promise<R[]>;
  #written: (queued: Queued, result: R) => void;
  #gaveUp: (error: unknown, count: number) => void;
  #settled: (count: number) => void;
  #queue: Queued[] = [];
  #busy = false;

  constructor(
    write: (batch: PendingOutcome[]) => Promise<R[]>,
    written: (queued: Queued, result: R) => void,
    gaveUp: (error: unknown, count: number) => void,
    settled: (count: number) => void,
  ) {
    this.#write = write;
    this.#written = written;
    this.#gaveUp = gaveUp;
    this.#settled = settled;
  }

  add(queued: Queued): void {
    this.#queue.push(queued);
    this.#next();
  }

  #next(): void {
    if (this.#busy || this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#busy = true;
    this.#send(batch).finally(() => {
      this.#busy = false;
      this.#next();
    });
  }

  async #send(batch: Queued[]): Promise<void> {
    let results: R[];
    try {
      results = await this.#write(batch.map((queued) => queued.pending));
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new Error(
          `the store answered ${
            Array.isArray(results) ? results.length : typeof results
          } results for ${batch.length} outcomes`,
        );
      }
    } catch (error) {
      return this.#failed(batch, error);
    }
    for (let i = 0; i < batch.length; i++) {
      try {
        this.#written(batch[i]!, results[i]!);
      } catch (error) {
        this.#report(error, 0); // written; what it was handed to threw (the others go on)
      }
    }
    this.#settled(batch.length);
  }

  /**
   * Queues again, each after its own wait, the outcomes of a failed call whose window is still
   * open; gives up the others.
   */
  #failed(batch: Queued[], error: unknown): void {
    const now = performance.now();
    const again = new Map<number, Queued[]>(); // by wait: most often one
    let lost = 0;
    for (const queued of batch) {
      if (now + queued.delay > queued.until) {
        lost++;
        continue;
      }
      const waiting = again.get(queued.delay);
      if (waiting) waiting.push(queued);
      else again.set(queued.delay, [queued]);
      queued.delay = Math.min(queued.delay * 2, LONGEST_RETRY_MS);
    }
    if (lost > 0) {
      this.#report(error, lost);
      this.#settled(lost);
    }
    for (const [wait, queued] of again) {
      setTimeout(() => {
        for (const q of queued) this.#queue.push(q);
        this.#next();
      }, wait);
    }
  }

  /** Tells `gaveUp`, which must not stop the queue when it throws itself. */
  #report(error: unknown, count: number): void {
    try {
      this.#gaveUp(error, count);
    } catch {
      // the error handler failed too: nothing else to tell
    }
  }
}

/** Batches `complete` and `fail` calls to a store (a write queue for each). */
export class OutcomeBatcher {
  #completions: WriteQueue<StatusCode>;
  #failures: WriteQueue<TransitionOutcome>;
  #retryForMs: number;
  /** Outcomes added and not yet written or given up. */
  #unsettled = 0;
  /** Resolved when `#unsettled` comes down to 0 (made when `drain` waits for it). */
  #drained: PromiseWithResolvers<void> | null = null;

  /**
   * Writes through `store`; reports each result to `onWritten`, and writes given up after
   * `retryForMs` of failures to `onError` with their count (their leases then expire and the jobs
   * run again). An `onWritten` that throws goes to `onError` too, with count 0: that outcome was
   * written.
   */
  constructor(
    store: Store,
    onWritten: OutcomeWritten,
    onError: (error: unknown, count: number) => void,
    retryForMs = 0,
  ) {
    const settled = (count: number) => {
      this.#unsettled -= count;
      if (this.#unsettled === 0) {
        this.#drained?.resolve();
        this.#drained = null;
      }
    };
    this.#completions = new WriteQueue(
      (batch) => store.complete(batch.map(toCompletion)),
      (queued, status) => onWritten(queued.pending, { status }),
      onError,
      settled,
    );
    this.#failures = new WriteQueue(
      (batch) => store.fail(batch.map(toFailure)),
      (queued, result) => onWritten(queued.pending, result),
      onError,
      settled,
    );
    this.#retryForMs = retryForMs;
  }

  /**
   * Queues an outcome for writing (`released` and `interrupted` ones need none); its retry
   * window starts `now` (`performance.now()`, which a caller that just read it passes on).
   */
  add(pending: PendingOutcome, now: number = performance.now()): void {
    const kind = pending.outcome.kind;
    if (kind !== "completed" && kind !== "failed") return;
    this.#unsettled++;
    const queued = { pending, until: now + this.#retryForMs, delay: FIRST_RETRY_MS };
    if (kind === "completed") this.#completions.add(queued);
    else this.#failures.add(queued);
  }

  /** Resolves when everything queued so far is written (or given up). */
  async drain(): Promise<void> {
    while (this.#unsettled > 0) await (this.#drained ??= Promise.withResolvers()).promise;
  }
}

function toCompletion(p: PendingOutcome): Completion {
  const outcome = p.outcome as Extract<AttemptOutcome, { kind: "completed" }>;
  return { id: p.job.id, token: p.job.token, result: outcome.result };
}

function toFailure(p: PendingOutcome): Failure {
  const outcome = p.outcome as Extract<AttemptOutcome, { kind: "failed" }>;
  return {
    id: p.job.id,
    token: p.job.token,
    error: JSON.stringify(outcome.error),
    retryDelay: outcome.retryDelay,
  };
}
