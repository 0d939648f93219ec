/**
 * Options of the throughput benchmark: command-line flags, each with an environment variable
 * fallback, then a default.
 *
 * | flag | env | default | meaning |
 * | --- | --- | --- | --- |
 * | `--jobs` | `BENCH_JOBS` | 20000 | jobs per throughput measurement |
 * | `--inflight` | `BENCH_INFLIGHT` | 50 | single enqueues in flight at once |
 * | `--chunk` | `BENCH_CHUNK` | 1000 | jobs per bulk enqueue call |
 * | `--concurrency` | `BENCH_CONCURRENCY` | 50 | worker concurrency |
 * | `--latency-jobs` | `BENCH_LATENCY_JOBS` | 500 | sequential jobs of the latency measurement |
 * | `--rounds` | `BENCH_ROUNDS` | 2 | rounds; the system order flips every round |
 * | `--redis` | `REDIS_URL` | `redis://127.0.0.1:6379` | the Redis both systems use |
 * | `--systems` | `BENCH_SYSTEMS` | `sluice,bullmq` | systems to run |
 * | `--benches` | `BENCH_BENCHES` | all | measurements to run, comma separated |
 * | `--commandstats` | `BENCH_COMMANDSTATS` | off | print Redis commands per measurement |
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The systems under comparison. */
export const SYSTEMS = ["sluice", "bullmq"] as const;

/** One system under comparison. */
export type SystemName = typeof SYSTEMS[number];

/** The measurements, in the order they run. */
export const BENCHES = ["enqueue-single", "enqueue-bulk", "process", "latency"] as const;

/** One measurement. */
export type BenchName = typeof BENCHES[number];

/** Resolved benchmark options. */
export interface BenchOptions {
  /** Jobs per throughput measurement. */
  jobs: number;
  /** Single enqueues in flight at once. */
  inflight: number;
  /** Jobs per bulk enqueue call. */
  chunk: number;
  /** Worker concurrency. */
  concurrency: number;
  /** Sequential jobs of the latency measurement. */
  latencyJobs: number;
  /** Rounds; odd rounds run Sluice first, even rounds BullMQ first. */
  rounds: number;
  /** Redis URL. */
  redisUrl: string;
  /** Systems to run. */
  systems: SystemName[];
  /** Measurements to run. */
  benches: BenchName[];
  /** Whether to print the Redis commands each measurement ran (`INFO commandstats` deltas). */
  commandStats: boolean;
}

const USAGE = `deno task bench [--jobs N] [--inflight N] [--chunk N] [--concurrency N]
  [--latency-jobs N] [--rounds N] [--redis URL] [--systems sluice,bullmq]
  [--benches enqueue-single,enqueue-bulk,process,latency] [--commandstats]`;

/** Parses `args` (default `Deno.args`) and the environment; throws a `TypeError` with usage. */
export function parseBenchOptions(args: string[] = Deno.args): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      jobs: { type: "string" },
      inflight: { type: "string" },
      chunk: { type: "string" },
      concurrency: { type: "string" },
      "latency-jobs": { type: "string" },
      rounds: { type: "string" },
      redis: { type: "string" },
      systems: { type: "string" },
      benches: { type: "string" },
      commandstats: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const env = (name: string): string | undefined => Deno.env.get(name) || undefined;
  const int = (flag: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) {
      throw new TypeError(`--${flag} must be a whole number >= 1, got ${raw}\n${USAGE}`);
    }
    return n;
  };
  const list = <T extends string>(
    flag: string,
    raw: string | undefined,
    known: readonly T[],
  ): T[] => {
    if (raw === undefined) return [...known];
    const picked = raw.split(",").map((s) => s.trim()).filter(Boolean);
    for (const name of picked) {
      if (!known.includes(name as T)) {
        throw new TypeError(`--${flag}: unknown ${JSON.stringify(name)}\n${USAGE}`);
      }
    }
    return known.filter((name) => picked.includes(name));
  };
  return {
    jobs: int("jobs", values.jobs ?? env("BENCH_JOBS"), 20_000),
    inflight: int("inflight", values.inflight ?? env("BENCH_INFLIGHT"), 50),
    chunk: int("chunk", values.chunk ?? env("BENCH_CHUNK"), 1_000),
    concurrency: int("concurrency", values.concurrency ?? env("BENCH_CONCURRENCY"), 50),
    latencyJobs: int("latency-jobs", values["latency-jobs"] ?? env("BENCH_LATENCY_JOBS"), 500),
    rounds: int("rounds", values.rounds ?? env("BENCH_ROUNDS"), 2),
    redisUrl: values.redis ?? env("REDIS_URL") ?? "redis://127.0.0.1:6379",
    systems: list("systems", values.systems ?? env("BENCH_SYSTEMS"), SYSTEMS),
    benches: list("benches", values.benches ?? env("BENCH_BENCHES"), BENCHES),
    commandStats: values.commandstats ?? env("BENCH_COMMANDSTATS") === "1",
  };
}
