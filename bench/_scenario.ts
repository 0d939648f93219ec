/**
 * The shape of a bench scenario. A scenario names its parameter sets (one per variant, e.g. per
 * backlog size); for each, the harness prepares a trial of each system (untimed: connections,
 * pre-filled jobs, idle workers), times its `run`, and disposes of it (untimed). Sluice's trial
 * runs in this process; BullMQ's runs in a Node process (bench/peers/bullmq/<scenario>.mjs) that
 * gets the very same parameters.
 *
 * @module
 */
import type { BenchName, BenchOptions, Retention, SystemName } from "./_options.ts";

/** The parameters of one measurement: small JSON numbers and flags, the same for both systems. */
export type Params = Record<string, number | boolean | undefined>;

/** What a timed run produced besides its duration. */
export interface TrialResult {
  /** Jobs the run counts (for jobs/s); absent when throughput means nothing. */
  jobs?: number;
  /** Per-job times in ms (latency, wait, firing error), summarised as percentiles. */
  latenciesMs?: number[];
  /** Wall time of the run measured by the system's own process (the Node peer's), seconds. */
  seconds?: number;
  /** CPU seconds of the system's own process during the run (the Node peer's). */
  clientCpuSec?: number;
}

/** What one block of an interleaved run produced. */
export interface BlockResult {
  /** Per-job times of the block's jobs, ms. */
  latenciesMs: number[];
  /** CPU seconds of the system's own process during the block (the Node peer's). */
  clientCpuSec?: number;
  /** Wall time of the block measured by the system's own process, seconds. */
  seconds?: number;
}

/** One prepared measurement: `run` is timed, `dispose` is not. */
export interface Trial {
  /** Does the measured work. */
  run(): Promise<TrialResult>;
  /**
   * Does `count` more jobs of the measured work and returns their times: scenarios that run
   * interleaved (`Scenario.interleave`) have it.
   */
  block?(count: number): Promise<BlockResult>;
  /** Stops workers and closes what prepare opened (keys are removed by the harness). */
  dispose(): Promise<void>;
}

/** Where Sluice's side of a measurement runs. */
export interface SluiceEnv {
  /** Redis URL (absent for scenarios without Redis). */
  url: string;
  /** This measurement's own namespace. */
  namespace: string;
  /** Retention mode. */
  retention: Retention;
}

/** How a table row reads a figure of a scenario's JSON line. */
export interface Figure {
  /** Key of the figure in the measurement line (`jobsPerSec`, `p50Ms`, ...). */
  key: string;
  /** Row label, after the variant label. */
  label: string;
  /** Which direction is better. */
  better: "higher" | "lower";
}

/** A scenario of the bench, with parameters `P`. */
export interface Scenario<P extends Params = Params> {
  /** Its name, as `--benches` takes it. */
  readonly name: BenchName;
  /** Systems it measures (Sluice only for the memory store). */
  readonly systems: readonly SystemName[];
  /**
   * Which Redis: the run's (`shared`), a redis-server of its own per measurement (`private`:
   * memory and idle command counts, large backlogs), or none.
   */
  readonly redis: "shared" | "private" | "none";
  /**
   * Whether each measurement is preceded, in the same process, by an untimed run of the same
   * trial with at most `WARMUP_JOBS` jobs (so neither system is timed with a cold JIT: BullMQ's
   * Node process is fresh for every measurement, Sluice's Deno process is not).
   */
  readonly warmup?: boolean;
  /**
   * Jobs per block when both systems run: the harness prepares both trials and alternates blocks
   * of this many jobs between them (ABBA) instead of timing one system's whole run, then the
   * other's, so a slow or fast spell of the machine lands on both. Such a measurement reports no
   * Redis figures (Redis serves both at once).
   */
  interleave?(o: BenchOptions): number;
  /** Whether the harness reports Redis `used_memory` growth per job (`bytesPerJob`). */
  readonly measuresMemory?: boolean;
  /** Whether the run's client CPU means nothing (the work happens in other processes). */
  readonly noClientCpu?: boolean;
  /** Seconds of idleness to count Redis commands over, between prepare and run (0: none). */
  idleSeconds?(o: BenchOptions): number;
  /** The parameter sets to measure, one per variant. */
  variants(o: BenchOptions): P[];
  /** A short label of a variant for the table (`""` when there is one variant). */
  label(p: P): string;
  /** Figures of the table, the first one deciding which round is best. */
  readonly figures: readonly Figure[];
  /** Prepares Sluice's trial. */
  sluice(p: P, env: SluiceEnv): Promise<Trial>;
}

/** Declares a scenario with typed parameters; the harness sees plain `Params`. */
export function scenario<P extends Params>(s: Scenario<P>): Scenario {
  return s as unknown as Scenario;
}
