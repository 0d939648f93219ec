/**
 * The worker of `drain`: it leases one due job at a time, when told, and takes it through the
 * steps of a worker node's attempt (`worker/attempt.ts`): the `active` event, the prerequisites'
 * results, the executor's attempt pipeline (payload decoding, migrations and validation, the
 * handler, result validation, retry decisions, snoozes and rate-limit hand-backs), the outcome
 * written by an `OutcomeBatcher`, progress and log lines written to the store, and the outcome's
 * events, with the failure callbacks they start. It has no timer, heartbeat or lease renewal: the
 * clock moves only when the test moves it.
 *
 * @module
 */
import type { EngineInternals } from "../engine/internals.ts";
import type { JobErrorInfo, Reservation } from "../job/job.ts";
import type { Lane } from "../job/lanes.ts";
import type { JobState } from "../job/states.ts";
import { Status, type StatusCode } from "../job/status.ts";
import type { AttemptOutcomeName } from "../job/attempt_history.ts";
import { runAttempt } from "../worker/attempt.ts";
import { announceOutcome, announceStarted } from "../worker/job_events.ts";
import { InlineExecutor, type JobExecutor } from "../worker/executor.ts";
import { IsolateExecutor } from "../worker/isolate_executor.ts";
import { StoreJobReports } from "../worker/job_reports.ts";
import { OutcomeBatcher } from "../worker/outcome_batcher.ts";
import { AttemptAbort } from "../worker/attempt_abort.ts";
import type { AttemptOutcome } from "../worker/run_job.ts";
import type { WorkerRuntime } from "../worker/runtime.ts";

/** The worker id `drain` leases jobs as (a job's `worker` field shows it). */
export const TEST_WORKER_ID = "sluice-testing";

/** Lease length of a drained job (ms of the manual clock); nothing reclaims it meanwhile. */
const LEASE_MS = 86_400_000;

/** One attempt `drain` ran. Times are epoch ms of the engine's clock. */
export interface DrainedAttempt {
  /** Job id. */
  id: string;
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** The lane it was served from. */
  lane: Lane;
  /** Which attempt it was (1 for the first run). */
  attempt: number;
  /** When the job was due (`ctx.scheduledAt`: a cron tick's time, a retry's time). */
  scheduledAt: number;
  /** When the attempt started. */
  startedAt: number;
  /**
   * What became of it: `completed`, `failed` (retried later or dead-lettered: see `state`),
   * `cancelled` (it ended while its cancellation was requested), or `released` (handed back
   * without spending the attempt: `ctx.snooze`, `ctx.rateLimit`).
   */
  outcome: Exclude<AttemptOutcomeName, "stalled">;
  /** The job's state after the attempt: `completed`, `delayed` or `waiting` (a retry), `dead`... */
  state: JobState;
  /** The result as stored (through the function's codec), when it completed; else null. */
  result: unknown;
  /** The error, when it failed; else null. */
  error: JobErrorInfo | null;
}

/** Runs jobs of one engine one at a time: see the module doc. */
export class StepWorker {
  #runtime: WorkerRuntime;
  #failuresSettled: () => Promise<void>;
  #executor: JobExecutor;
  #reports: StoreJobReports;
  #outcomes: OutcomeBatcher;
  #written = new Map<string, { status: StatusCode; state?: string }>();
  #writeErrors: unknown[] = [];
  #running: { job: Reservation; abort: AttemptAbort } | null = null;
  #stopCancels: () => void;

  /** A worker for the engine `internals` describes; handlers run in an isolate if `isolates`. */
  constructor(internals: EngineInternals, isolates: boolean) {
    const base = internals.runtime;
    const warn = (what: string, error: unknown) =>
      base.logger.warn(`could not store a job's ${what} report`, { error: String(error) });
    this.#reports = new StoreJobReports(base.store, () => base.clock.now(), warn);
    this.#reports.tokenOf = (id) =>
      this.#running?.job.id === id ? this.#running.job.token : undefined;
    this.#runtime = { ...base, reports: this.#reports };
    this.#failuresSettled = internals.failuresSettled;
    this.#executor = isolates
      ? new IsolateExecutor(this.#runtime, this.#runtime.functionModules(), {
        size: 1,
        slotsPerIsolate: 1,
      })
      : new InlineExecutor(this.#runtime, 1);
    this.#outcomes = new OutcomeBatcher(
      base.store,
      (pending, result) => this.#written.set(pending.job.id, result),
      (error) => this.#writeErrors.push(error),
    );
    this.#stopCancels = base.store.onCancelRequested(TEST_WORKER_ID, (id) => {
      if (this.#running?.job.id !== id) return;
      this.#running.abort.abort(new DOMException("job cancelled", "AbortError"));
    });
  }

  /** Resolves when handlers can run (the isolate loaded the functions); rejects if never. */
  async start(): Promise<void> {
    await this.#executor.start?.();
  }

  /**
   * Leases the next due job of `queues` (in that order of preference, each queue's lanes by its
   * lane picker) and runs one attempt of it to the end; null when none is due.
   */
  async runNext(queues: readonly string[]): Promise<DrainedAttempt | null> {
    const { store } = this.#runtime;
    const [job] = await store.reserve({
      worker: TEST_WORKER_ID,
      queues,
      count: 1,
      leaseMs: LEASE_MS,
    });
    if (!job) return null;
    const abort = new AttemptAbort();
    this.#running = { job, abort };
    announceStarted(this.#runtime, job, TEST_WORKER_ID);
    const began = performance.now();
    let outcome: AttemptOutcome;
    try {
      outcome = await runAttempt(this.#runtime, this.#executor, job, abort);
    } finally {
      this.#running = null;
    }
    const durationMs = performance.now() - began;
    const state = await this.#record(job, outcome, durationMs);
    return drained(job, outcome, state, this.#runtime);
  }

  /** Stops hearing of cancellations and closes the executor (the isolate). */
  async close(): Promise<void> {
    this.#stopCancels();
    await this.#reports.drain();
    await this.#executor.close();
  }

  /**
   * Writes `outcome` (and the attempt's reports), announces it, waits for the failure callbacks
   * it started; returns the job's state after it.
   */
  async #record(job: Reservation, outcome: AttemptOutcome, durationMs: number): Promise<JobState> {
    const { store } = this.#runtime;
    if (outcome.kind === "interrupted") await store.release([{ id: job.id, token: job.token }]);
    this.#outcomes.add({ job, outcome, durationMs });
    await this.#outcomes.drain();
    await this.#reports.drain();
    const failure = this.#writeErrors.shift();
    if (failure !== undefined) throw failure;
    const written = this.#written.get(job.id);
    this.#written.delete(job.id);
    if (written && written.status !== Status.OK) {
      throw new Error(
        `drain: the store refused the outcome of job ${job.id} (${job.name}): status ${written.status}`,
      );
    }
    announceOutcome(this.#runtime, job, outcome, durationMs, written?.state as JobState);
    await this.#failuresSettled();
    const after = await store.getJob(job.id);
    return after?.state ?? (outcome.kind === "completed" ? "completed" : "dead");
  }
}

function drained(
  job: Reservation,
  outcome: AttemptOutcome,
  state: JobState,
  runtime: WorkerRuntime,
): DrainedAttempt {
  const completed = outcome.kind === "completed";
  const failed = outcome.kind === "failed";
  const { id, name, queue, lane, attempt } = job;
  return {
    id,
    name,
    queue,
    lane,
    attempt,
    scheduledAt: job.runAt,
    startedAt: job.startedAt,
    outcome: completed
      ? "completed"
      : failed
      ? (state === "cancelled" ? "cancelled" : "failed")
      : "released",
    state,
    result: completed && outcome.result !== null
      ? runtime.encoder.decode(outcome.result).value
      : null,
    error: failed ? outcome.error : null,
  };
}
