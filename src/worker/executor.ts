/**
 * Executors run the handlers of started jobs: in-process (`InlineExecutor`, for tests and the
 * memory store) or in a pool of Deno isolates (`IsolateExecutor`). The worker node owns the
 * control plane (fetching, leases, heartbeats) and hands each job to its executor.
 *
 * @module
 */
import type { Reservation } from "../job/job.ts";
import type { PrerequisiteResult } from "../job/dependencies.ts";
import type { AttemptAbort } from "./attempt_abort.ts";
import { type OutcomeOrPromise, runJob } from "./run_job.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** Runs jobs. `capacity` slots; the node never runs more jobs at once. */
export interface JobExecutor {
  /** How many jobs may run at once. */
  readonly capacity: number;
  /**
   * Runs one job with its `prerequisites` (loaded by the node); `abort` stops its handler
   * (cancellation, lost lease, shutdown). Never throws. The outcome may come at once, in the
   * same turn (an inline handler that returned without a promise).
   */
  run(
    job: Reservation,
    abort: AttemptAbort,
    prerequisites: readonly PrerequisiteResult[],
  ): OutcomeOrPromise;
  /** Stops everything it runs. */
  close(): Promise<void>;
  /** Resolves when it can run jobs (isolates loaded); rejects when it never will. */
  start?(): Promise<void>;
}

/** Runs handlers on the main thread, `capacity` at once. */
export class InlineExecutor implements JobExecutor {
  /** Slots. */
  readonly capacity: number;
  #runtime: WorkerRuntime;

  /** Runs jobs of `runtime`'s functions, `capacity` at once. */
  constructor(runtime: WorkerRuntime, capacity: number) {
    this.#runtime = runtime;
    this.capacity = capacity;
  }

  run(
    job: Reservation,
    abort: AttemptAbort,
    prerequisites: readonly PrerequisiteResult[],
  ): OutcomeOrPromise {
    return runJob(this.#runtime, job, abort, prerequisites);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
