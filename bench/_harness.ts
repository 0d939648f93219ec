/**
 * One measurement: picks the Redis (the run's, or a redis-server of its own), prepares the
 * system's trial (Sluice in this process, BullMQ in a Node peer), counts Redis commands over an
 * idle window when the scenario asks, snapshots Redis, times the run, snapshots again, prints
 * the JSON line, and cleans up: the measurement's keys (its own namespace or prefix only) or its
 * private server.
 *
 * @module
 */
import process from "node:process";
import { Redis } from "ioredis";
import type { BenchOptions, Retention, SystemName } from "./_options.ts";
import type { Params, Scenario, Trial, TrialResult } from "./_scenario.ts";
import { type CommandDelta, commandDeltas, deleteKeys, snapshotRedis } from "./_redis_probe.ts";
import { PrivateRedis } from "./_private_redis.ts";
import { preparePeer } from "./_peer.ts";
import { dropSluiceNamespace } from "./_sluice.ts";
import { delay } from "./_pacing.ts";
import { type Measurement, percentile, round } from "./_measurement.ts";
import { printJsonLine } from "./_report.ts";

/** Jobs of a warm-up run at most (its `jobs`, `sample` and `backlog` are capped to it). */
export const WARMUP_JOBS = 2_000;

/** The parameters of a scenario's warm-up run. */
export function warmupParams(p: Params): Params {
  const capped: Params = { ...p };
  for (const key of ["jobs", "sample", "backlog"]) {
    const value = p[key];
    if (typeof value === "number") capped[key] = Math.min(value, WARMUP_JOBS);
  }
  return capped;
}

/** Commands the bench's own probes run; never counted against a system. */
const PROBE_COMMANDS = new Set(["info", "scan", "unlink"]);

/** What every measurement of a run shares. */
export interface RunContext {
  /** Options. */
  o: BenchOptions;
  /** A short id of this run, part of every namespace and prefix. */
  runId: string;
  /** The run's Redis. */
  url: string;
  /** A probe connection to it. */
  admin: Redis;
  /** Versions by system. */
  versions: Record<SystemName, string>;
  /** Clean-ups of measurements in progress (for an interrupt). */
  cleanups: Set<() => Promise<void>>;
}

/** What a measurement is. */
export interface MeasureRequest {
  /** The scenario. */
  scenario: Scenario;
  /** One of its parameter sets. */
  params: Params;
  /** Which system. */
  system: SystemName;
  /** Retention mode. */
  retention: Retention;
  /** Round number. */
  round: number;
}

let sequence = 0;

function openProbe(url: string): Redis {
  const redis = new Redis(url, { enableAutoPipelining: false, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  return redis;
}

const sumCalls = (deltas: CommandDelta[]): number => deltas.reduce((sum, d) => sum + d.calls, 0);

/** Runs one measurement, prints its JSON line (and command stats when asked) and returns it. */
export async function measure(ctx: RunContext, req: MeasureRequest): Promise<Measurement> {
  const { scenario, params, system, retention } = req;
  const id = measurementId(ctx);
  const began = performance.now();
  const server = scenario.redis === "private" ? await PrivateRedis.start() : null;
  const url = server?.url ?? ctx.url;
  const admin = server ? openProbe(url) : scenario.redis === "shared" ? ctx.admin : null;
  const namespace = `bench-${id}`;
  const prefix = `bench-bullmq-${id}`;
  const cleanup = async (): Promise<void> => {
    if (server) {
      admin?.disconnect();
      await server.stop();
    } else if (scenario.redis === "shared") {
      await dropKeysOf(ctx, system, namespace, prefix);
    }
  };
  ctx.cleanups.add(cleanup);
  try {
    const warmup = scenario.warmup && ctx.o.warmup ? warmupParams(params) : undefined;
    const sluiceUrl = admin ? url : "";
    if (warmup && system === "sluice") {
      const w = await scenario.sluice(warmup, {
        url: sluiceUrl,
        namespace: `${namespace}-w`,
        retention,
      });
      await w.run().finally(() => w.dispose());
    }
    const trial: Trial = system === "sluice"
      ? await scenario.sluice(params, { url: sluiceUrl, namespace, retention })
      : await preparePeer({ scenario: scenario.name, params, warmup, url, prefix, retention });
    try {
      const m: Measurement = {
        bench: scenario.name,
        variant: scenario.label(params),
        system,
        version: ctx.versions[system],
        retention,
        round: req.round,
        params,
        seconds: 0,
      };
      const idleSeconds = scenario.idleSeconds?.(ctx.o) ?? 0;
      if (idleSeconds > 0 && admin) {
        await delay(Math.min(2, idleSeconds / 2) * 1000); // start-up traffic passes first
        const before = await snapshotRedis(admin);
        await delay(idleSeconds * 1000);
        const after = await snapshotRedis(admin);
        const calls = sumCalls(commandDeltas(before, after).filter((d) => !isProbe(d)));
        m.idleCommandsPerSec = round(calls / idleSeconds, 1);
      }
      const before = admin ? await snapshotRedis(admin) : null;
      const cpu = process.cpuUsage();
      const start = performance.now();
      const result: TrialResult = await trial.run();
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      const after = admin ? await snapshotRedis(admin) : null;
      m.seconds = round(result.seconds ?? seconds, 3);
      if (result.jobs) {
        m.jobs = result.jobs;
        m.jobsPerSec = round(result.jobs / m.seconds, 0);
      }
      summarise(m, result.latenciesMs);
      if (!scenario.noClientCpu) {
        m.clientCpuSec = round(result.clientCpuSec ?? (used.user + used.system) / 1e6, 3);
      }
      const commands = before && after
        ? commandDeltas(before, after).filter((d) => !isProbe(d))
        : [];
      if (before && after) {
        m.redisCpuSec = round(after.cpuSeconds - before.cpuSeconds, 3);
        if (m.jobs) {
          m.redisCpuUsPerJob = round((m.redisCpuSec * 1e6) / m.jobs, 1);
          m.redisCallsPerJob = round(sumCalls(commands) / m.jobs, 2);
        }
        if (scenario.measuresMemory && m.jobs) {
          m.bytesPerJob = round((after.usedMemory - before.usedMemory) / m.jobs, 0);
        }
      }
      printJsonLine(m);
      if (ctx.o.commandStats && commands.length) {
        const per = m.jobs ?? 1;
        console.log(JSON.stringify({
          bench: m.bench,
          variant: m.variant,
          system,
          retention,
          round: req.round,
          redisCommands: commands.slice(0, 15).map((d) => ({
            ...d,
            perJob: round(d.calls / per, 3),
            usecPerJob: round(d.usec / per, 2),
          })),
        }));
      }
      return m;
    } finally {
      await trial.dispose();
    }
  } finally {
    ctx.cleanups.delete(cleanup);
    await cleanup();
    const label = [scenario.name, scenario.label(params), system, retention].filter(Boolean);
    const took = ((performance.now() - began) / 1000).toFixed(1);
    console.error(`bench: ${label.join(" / ")} (round ${req.round}): ${took} s in all`);
  }
}

/**
 * Deletes a measurement's keys on the run's shared Redis: Sluice's namespace (and its warm-up's),
 * or BullMQ's prefix.
 */
export async function dropKeysOf(
  ctx: RunContext,
  system: SystemName,
  namespace: string,
  prefix: string,
): Promise<void> {
  if (system === "sluice") {
    await dropSluiceNamespace(ctx.url, namespace);
    await dropSluiceNamespace(ctx.url, `${namespace}-w`);
  } else await deleteKeys(ctx.admin, `${prefix}:*`);
}

/** A fresh id for a measurement of this run (part of its namespace and prefix). */
export function measurementId(ctx: RunContext): string {
  return `${ctx.runId}-${++sequence}`;
}

function isProbe(d: CommandDelta): boolean {
  return PROBE_COMMANDS.has(d.command);
}

/** Adds percentiles and extremes of `latencies` to `m`. */
export function summarise(m: Measurement, latencies: number[] | undefined): void {
  if (!latencies?.length) return;
  const sorted = [...latencies].sort((a, b) => a - b);
  m.samples = sorted.length;
  m.p50Ms = round(percentile(sorted, 50), 3);
  m.p95Ms = round(percentile(sorted, 95), 3);
  m.p99Ms = round(percentile(sorted, 99), 3);
  m.meanMs = round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 3);
  m.minMs = round(sorted[0]!, 3);
  m.maxMs = round(sorted[sorted.length - 1]!, 3);
}
