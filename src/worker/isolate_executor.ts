/**
 * Runs job handlers in a pool of Deno isolates (`IsolatePool`) and maps what the pool reports to
 * the same outcomes as inline runs: retry times from the job's backoff, snoozes and too-new
 * payloads handed back, attempts interrupted by shutdown handed back without spending them.
 *
 * @module
 */
import type { Reservation } from "../job/job.ts";
import type { PrerequisiteResult } from "../job/dependencies.ts";
import type { AttemptAbort } from "./attempt_abort.ts";
import { failedAttempt } from "./failed_attempt.ts";
import { handedBack, tooNew } from "./hand_back.ts";
import { reviveError } from "./_isolate_protocol.ts";
import { IsolatePool } from "./isolate_pool.ts";
import type { JobExecutor } from "./executor.ts";
import { emitProgress } from "./progress.ts";
import type { AttemptOutcome } from "./run_job.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** Sizes of the pool. */
export interface IsolateSizing {
  /** Isolates (default: the number of cores). */
  size?: number;
  /** Attempts one isolate runs at once (default 4). */
  slotsPerIsolate?: number;
}

/** An executor backed by an isolate pool loading `modules`. */
export class IsolateExecutor implements JobExecutor {
  /** Slots: isolates x attempts per isolate. */
  readonly capacity: number;
  #runtime: WorkerRuntime;
  #pool: Promise<IsolatePool>;
  #closed = false;

  /** Starts `sizing.size` isolates loading `modules` (function files or the manifest). */
  constructor(runtime: WorkerRuntime, modules: Promise<string[]>, sizing: IsolateSizing = {}) {
    const size = sizing.size ?? navigator.hardwareConcurrency ?? 1;
    const slots = sizing.slotsPerIsolate ?? 4;
    this.capacity = size * slots;
    this.#runtime = runtime;
    this.#pool = modules.then(async (urls) => {
      const pool = new IsolatePool({
        modules: urls,
        size,
        slotsPerIsolate: slots,
        encoding: runtime.encoder.defaults,
        logger: runtime.logger,
        ...(runtime.graces?.abortGraceMs === undefined
          ? {}
          : { abortGraceMs: runtime.graces.abortGraceMs }),
        enqueue: (name, payload, options) => runtime.enqueue(name, payload, options),
        onJobLog: (job, level, message, fields) => {
          runtime.reports?.log(job.id, level, message, fields);
        },
        onProgress: (job, percent, message) => {
          try {
            emitProgress(runtime, job, percent, message);
          } catch (error) {
            runtime.logger.warn("a bad progress report was ignored", {
              job: job.id,
              error: String(error),
            });
          }
        },
      });
      await pool.start();
      return pool;
    });
    this.#pool.catch(() => {}); // reported by start()
  }

  /** Resolves when every isolate loaded the functions; rejects when one could not. */
  async start(): Promise<void> {
    await this.#pool;
  }

  async run(
    job: Reservation,
    abort: AttemptAbort,
    prerequisites: readonly PrerequisiteResult[],
  ): Promise<AttemptOutcome> {
    const pool = await this.#pool;
    const definition = this.#runtime.definition(job.name);
    const input = { ...job, scheduledAt: job.runAt, prerequisites: [...prerequisites] };
    const run = pool.run(input, definition?.timeout ? { timeoutMs: definition.timeout } : {});
    abort.listen((reason) => run.abort(reason));
    try {
      const outcome = await run.outcome;
      switch (outcome.kind) {
        case "completed":
          return outcome;
        case "failed":
          return failedAttempt(this.#runtime, job, reviveError(outcome.error), outcome.retryable);
        case "handed-back":
          return await handedBack(this.#runtime, job, outcome);
        case "too-new":
          return await tooNew(this.#runtime, job, outcome.version, outcome.known);
        case "interrupted":
          return { kind: "interrupted" };
      }
    } finally {
      abort.listen(null);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = await this.#pool.catch(() => null);
    await pool?.close({ graceMs: 0 });
  }
}
