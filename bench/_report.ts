/**
 * Benchmark results: one JSON line per measurement, then a table of the best round of each
 * measurement per system and the Sluice/BullMQ ratio.
 *
 * @module
 */
import type { BenchName, SystemName } from "./_options.ts";

/** One measurement of one system in one round. */
export interface Measurement {
  /** Which measurement. */
  bench: BenchName;
  /** Which system. */
  system: SystemName;
  /** The system's version. */
  version: string;
  /** Round number, from 1. */
  round: number;
  /** Jobs measured. */
  jobs: number;
  /** Wall time of the timed part, seconds. */
  seconds: number;
  /** `jobs / seconds`. */
  jobsPerSec: number;
  /** CPU seconds of this (client) process during the timed part: both producer and worker. */
  clientCpuSec: number;
  /** CPU seconds of the Redis server during the timed part. */
  redisCpuSec: number;
  /** Redis commands (script calls and their inner commands) per job. */
  redisCallsPerJob: number;
  /** Latency percentiles, ms (latency measurement only). */
  p50Ms?: number;
  /** 95th percentile, ms. */
  p95Ms?: number;
  /** 99th percentile, ms. */
  p99Ms?: number;
  /** Mean, ms. */
  meanMs?: number;
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

/** Prints `m` as one JSON line on stdout. */
export function printJsonLine(m: Measurement): void {
  console.log(JSON.stringify(m));
}

/** Whether `a` is a better result than `b` of the same measurement. */
function better(a: Measurement, b: Measurement): boolean {
  return a.bench === "latency" ? a.p50Ms! < b.p50Ms! : a.jobsPerSec > b.jobsPerSec;
}

/** The best round of each (measurement, system) pair. */
export function bestOf(all: readonly Measurement[]): Map<string, Measurement> {
  const best = new Map<string, Measurement>();
  for (const m of all) {
    const key = `${m.bench}/${m.system}`;
    const seen = best.get(key);
    if (!seen || better(m, seen)) best.set(key, m);
  }
  return best;
}

const pad = (s: string, n: number): string => s.padStart(n);

/**
 * Prints the table of best rounds. Ratios are Sluice / BullMQ: above 1 means Sluice is faster for
 * jobs/s, below 1 means Sluice is faster for latency.
 */
export function printTable(all: readonly Measurement[], benches: readonly BenchName[]): void {
  const best = bestOf(all);
  const lines: string[] = [];
  const row = (cells: string[]) =>
    lines.push(cells.map((c, i) => (i === 0 ? c.padEnd(16) : pad(c, 12))).join(""));
  row(["measurement", "sluice", "bullmq", "sluice/bull", "cpu s/b", "redis s/b"]);
  const fmtRatio = (a: number, b: number) => (b > 0 ? round(a / b, 2).toFixed(2) : "-");
  for (const bench of benches) {
    const s = best.get(`${bench}/sluice`);
    const b = best.get(`${bench}/bullmq`);
    const cpu = s && b ? fmtRatio(s.clientCpuSec, b.clientCpuSec) : "-";
    const redis = s && b ? fmtRatio(s.redisCpuSec, b.redisCpuSec) : "-";
    if (bench === "latency") {
      for (const p of ["p50Ms", "p95Ms", "p99Ms"] as const) {
        row([
          `latency ${p.slice(0, 3)} ms`,
          s ? s[p]!.toFixed(2) : "-",
          b ? b[p]!.toFixed(2) : "-",
          s && b ? fmtRatio(s[p]!, b[p]!) : "-",
          p === "p50Ms" ? cpu : "",
          p === "p50Ms" ? redis : "",
        ]);
      }
    } else {
      row([
        `${bench} j/s`,
        s ? Math.round(s.jobsPerSec).toString() : "-",
        b ? Math.round(b.jobsPerSec).toString() : "-",
        s && b ? fmtRatio(s.jobsPerSec, b.jobsPerSec) : "-",
        cpu,
        redis,
      ]);
    }
  }
  console.log(lines.join("\n"));
  console.log(
    "best of rounds; sluice/bull > 1 is Sluice faster for j/s, < 1 for latency; " +
      "cpu s/b and redis s/b: client and Redis CPU seconds, Sluice over BullMQ (< 1 = Sluice cheaper)",
  );
}
