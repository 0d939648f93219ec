/**
 * An interleaved measurement: both systems' trials prepared side by side on the run's shared
 * Redis, then blocks of `Scenario.interleave` jobs alternated between them in ABBA order (A B, B
 * A, A B, ...) until each has done `jobs`. Each block starts with one unrecorded job: after a
 * switch it meets what the other system left behind, which would otherwise land in the tail. One
 * system's whole run then the other's puts a slow or fast spell of a shared machine on one side
 * only; interleaved, both sample the same spells, and the ratio of their percentiles holds still
 * between invocations. Prints one JSON line per system, as `measure` does, without Redis figures:
 * Redis serves both systems at once.
 *
 * @module
 */
import process from "node:process";
import type { Retention, SystemName } from "./_options.ts";
import type { BlockResult, Params, Scenario, Trial } from "./_scenario.ts";
import { preparePeer } from "./_peer.ts";
import { dropKeysOf, measurementId, type RunContext, summarise } from "./_harness.ts";
import { type Measurement, round as roundTo } from "./_measurement.ts";
import { printJsonLine } from "./_report.ts";

/** What an interleaved measurement is. */
export interface InterleavedRequest {
  /** The scenario (its `interleave` set, its `shared` Redis). */
  scenario: Scenario;
  /** One of its parameter sets (`jobs`: each system's count). */
  params: Params;
  /** Retention mode. */
  retention: Retention;
  /** Round number. */
  round: number;
}

/** One side of the measurement. */
interface Side {
  system: SystemName;
  namespace: string;
  prefix: string;
  trial: Trial | null;
  latencies: number[];
  seconds: number;
  cpuSec: number;
}

/** Runs one interleaved measurement of Sluice and BullMQ; prints and returns both lines. */
export async function measureInterleaved(
  ctx: RunContext,
  req: InterleavedRequest,
): Promise<Measurement[]> {
  const { scenario, params, retention } = req;
  const blockSize = scenario.interleave!(ctx.o);
  const jobs = params.jobs;
  if (typeof jobs !== "number" || jobs < 1 || blockSize < 1) {
    throw new Error(`bench: ${scenario.name} runs interleaved but has no jobs or block size`);
  }
  const unsupported = scenario.redis !== "shared" || scenario.warmup || scenario.idleSeconds ||
    scenario.measuresMemory || scenario.noClientCpu;
  if (unsupported) {
    throw new Error(
      `bench: ${scenario.name} runs interleaved, which takes the run's shared Redis and no ` +
        "warm-up run, idle window, memory or client CPU settings",
    );
  }
  const began = performance.now();
  const sides: Side[] = (["sluice", "bullmq"] as const).map((system) => {
    const id = measurementId(ctx);
    return {
      system,
      namespace: `bench-${id}`,
      prefix: `bench-bullmq-${id}`,
      trial: null,
      latencies: [],
      seconds: 0,
      cpuSec: 0,
    };
  });
  const cleanup = async (): Promise<void> => {
    for (const s of sides) await dropKeysOf(ctx, s.system, s.namespace, s.prefix);
  };
  ctx.cleanups.add(cleanup);
  try {
    const [sluice, bullmq] = sides as [Side, Side];
    sluice.trial = await scenario.sluice(params, {
      url: ctx.url,
      namespace: sluice.namespace,
      retention,
    });
    bullmq.trial = await preparePeer({
      scenario: scenario.name,
      params,
      url: ctx.url,
      prefix: bullmq.prefix,
      retention,
    });
    // ABBA, starting with the first system of --systems in odd rounds, the other in even ones
    const listed = ctx.o.systems.indexOf("sluice") < ctx.o.systems.indexOf("bullmq")
      ? [sluice, bullmq]
      : [bullmq, sluice];
    const order = req.round % 2 === 1 ? listed : [listed[1]!, listed[0]!];
    for (let done = 0, block = 0; done < jobs; done += blockSize, block++) {
      const count = Math.min(blockSize, jobs - done);
      const pair = block % 2 === 0 ? order : [order[1]!, order[0]!];
      for (const side of pair) await runBlock(side, count);
    }
    return sides.map((side) => report(ctx, req, side, jobs, blockSize));
  } finally {
    try {
      const disposed = await Promise.allSettled(sides.map((side) => side.trial?.dispose()));
      for (const [i, d] of disposed.entries()) {
        if (d.status === "rejected") {
          console.error(`bench: disposing of the ${sides[i]!.system} trial failed: ${d.reason}`);
        }
      }
    } finally {
      ctx.cleanups.delete(cleanup);
      await cleanup();
    }
    const label = [scenario.name, scenario.label(params), "interleaved", retention];
    const took = ((performance.now() - began) / 1000).toFixed(1);
    console.error(
      `bench: ${label.filter(Boolean).join(" / ")} (round ${req.round}): ${took} s in all`,
    );
  }
}

/**
 * Runs one block of `side`: first one job unrecorded (after a switch, it meets what the other
 * system's block left behind: caches, a worker idle since), then `count` recorded ones.
 */
async function runBlock(side: Side, count: number): Promise<void> {
  const trial = side.trial!;
  if (!trial.block) throw new Error(`bench: the ${side.system} trial cannot run in blocks`);
  await trial.block(1);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result: BlockResult = await trial.block(count);
  const used = process.cpuUsage(cpu);
  side.seconds += result.seconds ?? (performance.now() - start) / 1000;
  side.cpuSec += result.clientCpuSec ?? (used.user + used.system) / 1e6;
  side.latencies.push(...result.latenciesMs);
}

function report(
  ctx: RunContext,
  req: InterleavedRequest,
  side: Side,
  jobs: number,
  blockSize: number,
): Measurement {
  if (side.latencies.length !== jobs) {
    throw new Error(`bench: ${side.system} recorded ${side.latencies.length} of ${jobs} jobs`);
  }
  const m: Measurement = {
    bench: req.scenario.name,
    variant: req.scenario.label(req.params),
    system: side.system,
    version: ctx.versions[side.system],
    retention: req.retention,
    round: req.round,
    params: req.params,
    seconds: roundTo(side.seconds, 3),
    jobs,
    jobsPerSec: roundTo(jobs / side.seconds, 0),
    interleavedBlock: blockSize,
  };
  summarise(m, side.latencies);
  m.clientCpuSec = roundTo(side.cpuSec, 3);
  printJsonLine(m);
  return m;
}
