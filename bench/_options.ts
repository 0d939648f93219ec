/**
 * Options of the benchmark: command-line flags, each with an environment variable fallback,
 * then a default of the full profile (or of the quick profile with `--quick`). Sizes take `k`
 * and `M` suffixes (`100k`, `1M`).
 *
 * | flag | env | full | quick | meaning |
 * | --- | --- | --- | --- | --- |
 * | `--benches` | `BENCH_BENCHES` | all | all | scenarios to run, comma separated |
 * | `--systems` | `BENCH_SYSTEMS` | `sluice,bullmq` | same | systems to run |
 * | `--retention` | `BENCH_RETENTION` | `keep,remove` | `keep` | retention modes, each a pass |
 * | `--rounds` | `BENCH_ROUNDS` | 1 | 1 | rounds (system order flips every round; best kept) |
 * | `--redis` | `REDIS_URL` | `redis://127.0.0.1:6379` | same | shared Redis, or `private` |
 * | `--jobs` | `BENCH_JOBS` | 100k | 2k | jobs of the enqueue, process, steady, workers runs |
 * | `--inflight` | `BENCH_INFLIGHT` | 50 | 50 | single enqueues in flight |
 * | `--chunk` | `BENCH_CHUNK` | 1000 | 1000 | jobs per bulk enqueue call |
 * | `--concurrency` | `BENCH_CONCURRENCY` | 50 | 10 | worker concurrency |
 * | `--steady-rate` | `BENCH_STEADY_RATE` | 1000 | 1000 | paced steady run's jobs/s (0: none) |
 * | `--latency-jobs` | `BENCH_LATENCY_JOBS` | 1000 | 100 | sequential jobs, idle latency |
 * | `--delayed-jobs` | `BENCH_DELAYED_JOBS` | 200 | 20 | delayed jobs, spread over 4 s (0.4 s) |
 * | `--critical-jobs` | `BENCH_CRITICAL_JOBS` | 2000 | 100 | normal backlog of 50 ms jobs |
 * | `--backlogs` | `BENCH_BACKLOGS` | 10k,100k,1M | 1k,5k | backlog sizes |
 * | `--backlog-sample` | `BENCH_BACKLOG_SAMPLE` | 10k | 1k | jobs timed at each backlog |
 * | `--memory-jobs` | `BENCH_MEMORY_JOBS` | 100k | 2k | waiting jobs, memory per job |
 * | `--processes` | `BENCH_PROCESSES` | 4 | 2 | worker processes on one Redis |
 * | `--queue-counts` | `BENCH_QUEUE_COUNTS` | 1,100,1000 | 1,10 | queues one node serves |
 * | `--idle-seconds` | `BENCH_IDLE_SECONDS` | 10 | 1 | idle window counting commands |
 * | `--no-warmup` | `BENCH_WARMUP=0` | warm-ups on | off | no warm-up runs (see `Scenario.warmup`) |
 * | `--commandstats` | `BENCH_COMMANDSTATS` | off | off | print Redis commands per run |
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The systems under comparison. */
export const SYSTEMS = ["sluice", "bullmq"] as const;

/** One system under comparison. */
export type SystemName = typeof SYSTEMS[number];

/** The scenarios, in the order they run. */
export const BENCHES = [
  "enqueue-single",
  "enqueue-bulk",
  "process",
  "process-isolates",
  "process-quiet",
  "steady",
  "latency",
  "delayed",
  "critical",
  "backlog",
  "memory",
  "memory-store",
  "workers",
  "queues",
] as const;

/** One scenario. */
export type BenchName = typeof BENCHES[number];

/** Both systems keep completed jobs (their defaults), or both delete them at once. */
export const RETENTIONS = ["keep", "remove"] as const;

/** One retention mode. */
export type Retention = typeof RETENTIONS[number];

/** Resolved benchmark options. */
export interface BenchOptions {
  /** Scenarios to run. */
  benches: BenchName[];
  /** Systems to run. */
  systems: SystemName[];
  /** Retention modes, each a full pass over the scenarios. */
  retentions: Retention[];
  /** Rounds; odd rounds run Sluice first, even rounds BullMQ first. */
  rounds: number;
  /** Redis URL, or `"private"` for a redis-server the bench starts. */
  redis: string;
  /** Whether the quick profile's defaults apply. */
  quick: boolean;
  /** Jobs of the enqueue, process, steady, memory-store and workers scenarios. */
  jobs: number;
  /** Single enqueues in flight. */
  inflight: number;
  /** Jobs per bulk enqueue call. */
  chunk: number;
  /** Worker concurrency. */
  concurrency: number;
  /**
   * Jobs/s of the paced steady-state run (besides the unpaced one), over 10 s (1 s quick);
   * 0: the unpaced run only.
   */
  steadyRate: number;
  /** Sequential jobs of the idle latency scenario. */
  latencyJobs: number;
  /** Delayed jobs. */
  delayedJobs: number;
  /** Normal backlog of the critical-wait scenario. */
  criticalJobs: number;
  /** Backlog sizes. */
  backlogs: number[];
  /** Jobs timed at each backlog size. */
  backlogSample: number;
  /** Waiting jobs of the memory scenario. */
  memoryJobs: number;
  /** Worker processes of the workers scenario. */
  processes: number;
  /** Queue counts of the queues scenario. */
  queueCounts: number[];
  /** Idle window of the queues scenario, seconds. */
  idleSeconds: number;
  /** Whether scenarios that ask for one get an untimed warm-up run before each measurement. */
  warmup: boolean;
  /** Whether to print the Redis commands of every run (`INFO commandstats` deltas). */
  commandStats: boolean;
}

const USAGE = `deno task bench [--quick] [--benches a,b] [--systems sluice,bullmq]
  [--retention keep|remove|keep,remove] [--rounds N] [--redis URL|private]
  [--jobs N] [--inflight N] [--chunk N] [--concurrency N] [--steady-rate N]
  [--latency-jobs N] [--delayed-jobs N] [--critical-jobs N] [--backlogs 10k,100k,1M]
  [--backlog-sample N] [--memory-jobs N] [--processes N] [--queue-counts 1,100,1000]
  [--idle-seconds N] [--no-warmup] [--commandstats]
benches: ${BENCHES.join(", ")}`;

const FULL = {
  jobs: 100_000,
  concurrency: 50,
  latencyJobs: 1_000,
  delayedJobs: 200,
  criticalJobs: 2_000,
  retentions: ["keep", "remove"] as Retention[],
  backlogs: "10k,100k,1M",
  backlogSample: 10_000,
  memoryJobs: 100_000,
  processes: 4,
  queueCounts: "1,100,1000",
  idleSeconds: 10,
};

const QUICK: typeof FULL = {
  jobs: 2_000,
  concurrency: 10,
  latencyJobs: 100,
  delayedJobs: 20,
  criticalJobs: 100,
  retentions: ["keep"] as Retention[],
  backlogs: "1k,5k",
  backlogSample: 1_000,
  memoryJobs: 2_000,
  processes: 2,
  queueCounts: "1,10",
  idleSeconds: 1,
};

/** `"100k"` -> 100000, `"1M"` -> 1000000; NaN when not a size. */
export function parseSize(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(raw.trim().replaceAll("_", ""));
  if (!match) return NaN;
  const scale = { "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2]!]!;
  return Math.round(Number(match[1]) * scale);
}

/** Parses `args` (default `Deno.args`) and the environment; throws a `TypeError` with usage. */
export function parseBenchOptions(args: string[] = Deno.args): BenchOptions {
  const numeric = [
    "jobs",
    "inflight",
    "chunk",
    "concurrency",
    "steady-rate",
    "latency-jobs",
    "delayed-jobs",
    "critical-jobs",
    "backlog-sample",
    "memory-jobs",
    "processes",
    "idle-seconds",
    "rounds",
  ];
  const lists = ["benches", "systems", "retention", "backlogs", "queue-counts", "redis"];
  const { values } = parseArgs({
    args,
    options: {
      ...Object.fromEntries([...numeric, ...lists].map((f) => [f, { type: "string" as const }])),
      quick: { type: "boolean" },
      "no-warmup": { type: "boolean" },
      commandstats: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const given = (flag: string): string | undefined => {
    const value = (values as Record<string, unknown>)[flag];
    return typeof value === "string" ? value : undefined;
  };
  const raw = (flag: string): string | undefined =>
    given(flag) ?? (Deno.env.get(`BENCH_${flag.toUpperCase().replaceAll("-", "_")}`) || undefined);
  const quick = values.quick ?? Deno.env.get("BENCH_QUICK") === "1";
  const profile = quick ? QUICK : FULL;
  const size = (flag: string, fallback: number, min = 1): number => {
    const text = raw(flag);
    if (text === undefined) return fallback;
    const n = parseSize(text);
    if (!Number.isInteger(n) || n < min) {
      throw new TypeError(`--${flag} must be a whole number >= ${min}, got ${text}\n${USAGE}`);
    }
    return n;
  };
  const sizes = (flag: string, fallback: string): number[] =>
    (raw(flag) ?? fallback).split(",").map((s) => {
      const n = parseSize(s);
      if (!Number.isInteger(n) || n < 1) {
        throw new TypeError(`--${flag}: not a size: ${JSON.stringify(s)}\n${USAGE}`);
      }
      return n;
    });
  const pick = <T extends string>(flag: string, known: readonly T[], fallback?: T[]): T[] => {
    const text = raw(flag);
    if (text === undefined) return fallback ?? [...known];
    const picked = text.split(",").map((s) => s.trim()).filter(Boolean);
    for (const name of picked) {
      if (!known.includes(name as T)) {
        throw new TypeError(`--${flag}: unknown ${JSON.stringify(name)}\n${USAGE}`);
      }
    }
    return known.filter((name) => picked.includes(name));
  };
  return {
    benches: pick("benches", BENCHES),
    systems: pick("systems", SYSTEMS),
    retentions: pick("retention", RETENTIONS, profile.retentions),
    rounds: size("rounds", 1),
    redis: given("redis") ?? (Deno.env.get("REDIS_URL") || "redis://127.0.0.1:6379"),
    quick,
    jobs: size("jobs", profile.jobs),
    inflight: size("inflight", 50),
    chunk: size("chunk", 1_000),
    concurrency: size("concurrency", profile.concurrency),
    steadyRate: size("steady-rate", 1_000, 0),
    latencyJobs: size("latency-jobs", profile.latencyJobs),
    delayedJobs: size("delayed-jobs", profile.delayedJobs),
    criticalJobs: size("critical-jobs", profile.criticalJobs),
    backlogs: sizes("backlogs", profile.backlogs),
    backlogSample: size("backlog-sample", profile.backlogSample),
    memoryJobs: size("memory-jobs", profile.memoryJobs),
    processes: size("processes", profile.processes),
    queueCounts: sizes("queue-counts", profile.queueCounts),
    idleSeconds: size("idle-seconds", profile.idleSeconds),
    warmup: !(values["no-warmup"] ?? (quick || Deno.env.get("BENCH_WARMUP") === "0")),
    commandStats: values.commandstats ?? Deno.env.get("BENCH_COMMANDSTATS") === "1",
  };
}
