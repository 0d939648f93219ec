/**
 * What the benchmark asks of each system under comparison, and the job both systems run: its
 * payload and its handler's result.
 *
 * Every measurement is prepared first (untimed: connections, pre-filled jobs, an idle worker),
 * then its `run` is timed, then it is disposed of (untimed).
 *
 * @module
 */
import type { SystemName } from "./_options.ts";

/** The small JSON payload every benchmark job carries. */
export interface BenchPayload {
  /** Sequence number of the job within its measurement. */
  n: number;
  /** A short string field. */
  user: string;
  /** Another short string field. */
  action: string;
}

/** The payload of job `n`. */
export function benchPayload(n: number): BenchPayload {
  return { n, user: `user-${n % 1000}`, action: "resize" };
}

/** The small object every benchmark handler returns. */
export const HANDLER_RESULT: Readonly<{ ok: boolean }> = Object.freeze({ ok: true });

/** What a timed run produced besides its duration. */
export interface TrialResult {
  /** Enqueue-to-completion times in ms, for latency runs. */
  latenciesMs?: number[];
}

/** One prepared measurement: `run` is timed, `dispose` is not. */
export interface Trial {
  /** Does the measured work. */
  run(): Promise<TrialResult>;
  /** Stops workers and closes what `prepare` opened (keys are removed by `clean`). */
  dispose(): Promise<void>;
}

/** A system under comparison, bound to its own key prefix on the shared Redis. */
export interface Contender {
  /** Which system. */
  readonly system: SystemName;
  /** Its version. */
  readonly version: string;
  /** Enqueue `jobs` jobs one at a time, at most `inflight` calls in flight. */
  prepareEnqueueSingle(jobs: number, inflight: number): Promise<Trial>;
  /** Enqueue `jobs` jobs with bulk calls of `chunk` jobs, one call after another. */
  prepareEnqueueBulk(jobs: number, chunk: number): Promise<Trial>;
  /** Pre-fill `jobs` jobs (untimed); the run starts a worker and waits until all completed. */
  prepareProcess(jobs: number, concurrency: number, chunk: number): Promise<Trial>;
  /** Start an idle worker (untimed); the run enqueues `jobs` jobs one by one, awaiting each. */
  prepareLatency(jobs: number, concurrency: number): Promise<Trial>;
  /** Deletes every key this contender wrote, and only those. */
  clean(): Promise<void>;
  /** Closes connections. */
  close(): Promise<void>;
}
