/**
 * Records attempt outcomes in batches: while one store call is in flight, new outcomes queue up
 * and go together in the next call. No timer, so a lone outcome is written at once, and under
 * load many go per call.
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

/** Batches `complete` and `fail` calls to a store. */
export class OutcomeBatcher {
  #store: Store;
  #onWritten: OutcomeWritten;
  #onError: (error: unknown, count: number) => void;
  #queue: PendingOutcome[] = [];
  #flushing: Promise<void> | null = null;

  /** Writes through `store`; reports each result to `onWritten`, store errors to `onError`. */
  constructor(
    store: Store,
    onWritten: OutcomeWritten,
    onError: (error: unknown, count: number) => void,
  ) {
    this.#store = store;
    this.#onWritten = onWritten;
    this.#onError = onError;
  }

  /** Queues an outcome for writing. */
  add(pending: PendingOutcome): void {
    this.#queue.push(pending);
    this.#kick();
  }

  #kick(): void {
    if (this.#flushing || this.#queue.length === 0) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = null;
      this.#kick(); // outcomes added after the last loop turn, before this callback ran
    });
  }

  /** Resolves when everything queued so far is written. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      const done = batch.filter((p) => p.outcome.kind === "completed");
      const failed = batch.filter((p) => p.outcome.kind === "failed");
      try {
        const [completedStatuses, failedResults] = await Promise.all([
          done.length ? this.#store.complete(done.map(toCompletion)) : [],
          failed.length ? this.#store.fail(failed.map(toFailure)) : [],
        ]);
        done.forEach((p, i) => this.#onWritten(p, { status: completedStatuses[i]! }));
        failed.forEach((p, i) => this.#onWritten(p, failedResults[i] as TransitionOutcome));
      } catch (error) {
        // The leases stay with this worker until they expire; then the jobs run again.
        this.#onError(error, batch.length);
      }
    }
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
    retryAt: outcome.retryAt,
  };
}
