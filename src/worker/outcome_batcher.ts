/**
 * Records attempt outcomes in batches: while one store call is in flight, new outcomes queue up
 * and go together in the next call (see `Coalescer`). No timer, so a lone outcome is written at
 * once, and under load many go per call.
 *
 * @module
 */
import type { Reservation } from "../job/job.ts";
import type { StatusCode } from "../job/status.ts";
import type { Completion, Failure, Store, TransitionOutcome } from "../store/store.ts";
import type { AttemptOutcome } from "./run_job.ts";
import { Coalescer } from "./coalescer.ts";

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

/** Batches `complete` and `fail` calls to a store (a `Coalescer` for each). */
export class OutcomeBatcher {
  #completions: Coalescer<Completion, StatusCode>;
  #failures: Coalescer<Failure, TransitionOutcome>;
  #onWritten: OutcomeWritten;
  #onError: (error: unknown, count: number) => void;

  /** Writes through `store`; reports each result to `onWritten`, store errors to `onError`. */
  constructor(
    store: Store,
    onWritten: OutcomeWritten,
    onError: (error: unknown, count: number) => void,
  ) {
    this.#completions = new Coalescer((items) => store.complete(items));
    this.#failures = new Coalescer((items) => store.fail(items));
    this.#onWritten = onWritten;
    this.#onError = onError;
  }

  /** Queues an outcome for writing (`released` and `interrupted` ones need none). */
  add(pending: PendingOutcome): void {
    // The lease of an outcome that cannot be written stays with this worker until it expires;
    // then the job runs again.
    if (pending.outcome.kind === "completed") {
      this.#completions.add(toCompletion(pending)).then(
        (status) => this.#onWritten(pending, { status }),
        (error) => this.#onError(error, 1),
      );
    } else if (pending.outcome.kind === "failed") {
      this.#failures.add(toFailure(pending)).then(
        (result) => this.#onWritten(pending, result),
        (error) => this.#onError(error, 1),
      );
    }
  }

  /** Resolves when everything queued so far is written. */
  async drain(): Promise<void> {
    await Promise.all([this.#completions.drain(), this.#failures.drain()]);
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
