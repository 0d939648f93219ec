/**
 * One measurement as the bench prints it (a JSON line), and how its figures are read, summarised
 * and formatted.
 *
 * @module
 */
import type { BenchName, Retention, SystemName } from "./_options.ts";
import type { Params } from "./_scenario.ts";

/** One measurement of one system in one round: the JSON line. */
export interface Measurement {
  /** Which scenario. */
  bench: BenchName;
  /** The variant's label (`""` for scenarios with one variant). */
  variant: string;
  /** Which system. */
  system: SystemName;
  /** The system's version. */
  version: string;
  /** Retention mode. */
  retention: Retention;
  /** Round number, from 1. */
  round: number;
  /** The scenario's parameters (the same for both systems). */
  params: Params;
  /** Wall time of the timed part, seconds. */
  seconds: number;
  /** Jobs the timed part counted. */
  jobs?: number;
  /** `jobs / seconds`. */
  jobsPerSec?: number;
  /** Per-job times recorded (latency, wait or firing error samples). */
  samples?: number;
  /** Percentiles and extremes of the per-job times, ms. */
  p50Ms?: number;
  /** 95th percentile, ms. */
  p95Ms?: number;
  /** 99th percentile, ms. */
  p99Ms?: number;
  /** Mean, ms. */
  meanMs?: number;
  /** Minimum, ms. */
  minMs?: number;
  /** Maximum, ms. */
  maxMs?: number;
  /** CPU seconds of the system's process during the timed part (producer and worker). */
  clientCpuSec?: number;
  /** CPU seconds of the Redis server during the timed part. */
  redisCpuSec?: number;
  /** Redis CPU per job, µs. */
  redisCpuUsPerJob?: number;
  /** Redis commands (script calls and the commands inside them) per job. */
  redisCallsPerJob?: number;
  /** Growth of Redis `used_memory` over the timed part, per job, bytes. */
  bytesPerJob?: number;
  /** Redis commands per second over the idle window before the timed part. */
  idleCommandsPerSec?: number;
  /** Jobs per block, when the two systems ran interleaved (see bench/_interleave.ts). */
  interleavedBlock?: number;
}

/** Nearest-rank percentile `p` (0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `10000` -> `"10k"`, `1000000` -> `"1M"`. */
export function formatSize(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** A figure for a table cell: thousands separators when large, 2-3 decimals when small. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString("en-US");
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(abs >= 0.1 || value === 0 ? 2 : 3);
}

/** A figure of a measurement by key (undefined when absent). */
export function figureOf(m: Measurement | undefined, key: string): number | undefined {
  const value = m ? (m as unknown as Record<string, unknown>)[key] : undefined;
  return typeof value === "number" ? value : undefined;
}
