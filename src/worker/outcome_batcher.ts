/**
 * Records attempt outcomes in batches: while one store call is in flight, new outcomes queue up
 * and go together in the next call (see `Coalescer`). No timer, so a lone outcome is written at
 * once, and under load many go per call. An outcome whose write fails (Redis unreachable or full,
 * or the connection dropped with the reply in flight) is sent again, backing off, for up to the
 * retry window: the write is fenced by the lease token and idempotent (a completion delivered
 * twice is OK, a stale token changes nothing), so the job does not run again for a lost reply.
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
  #retryForMs: number;
  /** Outcomes added and not yet written or given up. */
  #unsettled = 0;
  /** Resolved when `#unsettled` comes down to 0 (made when `drain` waits for it). */
  #settled: PromiseWithResolvers<void> | null = null;

  /**
   * Writes through `store`; reports each result to `onWritten`, and a write given up after
   * `retryForMs` of failures to `onError` (its lease then expires and the job runs again).
   */
  constructor(
    store: Store,
    onWritten: OutcomeWritten,
    onError: (error: unknown, count: number) => void,
    retryForMs = 0,
  ) {
    this.#completions = new Coalescer((items) => store.complete(items));
    this.#failures = new Coalescer((items) => store.fail(items));
    this.#onWritten = onWritten;
    this.#onError = onError;
    this.#retryForMs = retryForMs;
  }

  /**
   * Queues an outcome for writing (`released` and `interrupted` ones need none); its retry
   * window starts `now` (`performance.now()`, which a caller that just read it passes on).
   */
  add(pending: PendingOutcome, now: number = performance.now()): void {
    if (pending.outcome.kind !== "completed" && pending.outcome.kind !== "failed") return;
    this.#unsettled++;
    void this.#send(pending, now + this.#retryForMs);
  }

  async #send(pending: PendingOutcome, until: number): Promise<void> {
    try {
      for (let delay = 50;; delay = Math.min(delay * 2, 1_000)) {
        try {
          if (pending.outcome.kind === "completed") {
            const status = await this.#completions.add(toCompletion(pending));
            return this.#onWritten(pending, { status });
          }
          return this.#onWritten(pending, await this.#failures.add(toFailure(pending)));
        } catch (error) {
          if (performance.now() + delay > until) return this.#onError(error, 1);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    } finally {
      if (--this.#unsettled === 0) {
        this.#settled?.resolve();
        this.#settled = null;
      }
    }
  }

  /** Resolves when everything queued so far is written (or given up). */
  async drain(): Promise<void> {
    while (this.#unsettled > 0) await (this.#settled ??= Promise.withResolvers()).promise;
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
