/**
 * What a worker needs from the engine, as an interface, so the worker depends on the store,
 * registry and codec layers and never on the engine facade itself.
 *
 * @module
 */
import type { PayloadEncoder } from "../codec/payload_encoder.ts";
import type { Clock } from "../job/clock.ts";
import type { JobEventEmitter } from "../job/events.ts";
import type { Logger } from "../job/logger.ts";
import type { JobDefinition } from "../registry/definition.ts";
import type { Enqueue } from "../registry/job_ref.ts";
import type { Store } from "../store/store.ts";
import type { JobReports } from "./job_reports.ts";

/** The engine services a worker uses. */
export interface WorkerRuntime {
  /** Where jobs live. */
  readonly store: Store;
  /** Decodes payloads, encodes results (codec, compression, version envelope). */
  readonly encoder: PayloadEncoder;
  /** Time source for durations and retry times. */
  readonly clock: Clock;
  /** Where the worker logs. */
  readonly logger: Logger;
  /** Job life-cycle events. */
  readonly events: JobEventEmitter;
  /** The definition registered under `name`, if any. */
  definition(name: string): JobDefinition | undefined;
  /** Names of every registered function (for messages). */
  functionNames(): string[];
  /** URLs of the modules defining the functions, for isolates; rejects for in-code functions. */
  functionModules(): Promise<string[]>;
  /** Enqueues follow-up jobs (a job's `ctx.enqueue`). */
  readonly enqueue: Enqueue;
  /**
   * How long an inline handler may run on after its signal aborted: at its timeout
   * (`abortGraceMs`) or for a cancellation (`cancelGraceMs`); see `attempt_guard.ts`.
   */
  readonly graces?: { abortGraceMs?: number; cancelGraceMs?: number };
  /** Where running jobs' progress and log lines are written (set by the node running them). */
  readonly reports?: JobReports;
}
