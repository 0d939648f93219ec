/**
 * Throughput benchmark: Sluice (`RedisStore`) against BullMQ (`Queue` + `Worker`) on the same
 * Redis in the same run. Measures enqueue throughput one by one (with a bounded number of calls
 * in flight) and in bulk, processing throughput of a worker draining a pre-filled queue, and
 * enqueue-to-completion latency with an idle worker. Rounds alternate which system goes first;
 * the table reports the best round of each.
 *
 * Prints one JSON line per measurement (a `meta` line first), then a table with the
 * Sluice/BullMQ ratios. Each system works under its own key prefix, whose keys are deleted after
 * every measurement; nothing else on the server is touched.
 *
 * @example
 * ```sh
 * deno task bench
 * deno task bench --jobs 5000 --rounds 1 --benches process --commandstats
 * ```
 *
 * @module
 */
import process from "node:process";
import { Redis } from "ioredis";
import { type BenchName, type BenchOptions, parseBenchOptions } from "./_options.ts";
import type { Contender, Trial } from "./_contender.ts";
import { SluiceContender } from "./_sluice.ts";
import { BullmqContender } from "./_bullmq.ts";
import { commandDeltas, snapshotRedis } from "./_redis_probe.ts";
import { type Measurement, percentile, printJsonLine, printTable, round } from "./_report.ts";

/** Commands the benchmark's own probes run; not counted against a system. */
const PROBE_COMMANDS = new Set(["info", "scan", "unlink"]);

function prepare(c: Contender, bench: BenchName, o: BenchOptions): Promise<Trial> {
  switch (bench) {
    case "enqueue-single":
      return c.prepareEnqueueSingle(o.jobs, o.inflight);
    case "enqueue-bulk":
      return c.prepareEnqueueBulk(o.jobs, o.chunk);
    case "process":
      return c.prepareProcess(o.jobs, o.concurrency, o.chunk);
    case "latency":
      return c.prepareLatency(o.latencyJobs, o.concurrency);
  }
}

async function measure(
  c: Contender,
  bench: BenchName,
  roundNo: number,
  o: BenchOptions,
  admin: Redis,
): Promise<Measurement> {
  const jobs = bench === "latency" ? o.latencyJobs : o.jobs;
  try {
    const trial = await prepare(c, bench, o);
    try {
      const before = await snapshotRedis(admin);
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      const result = await trial.run();
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const after = await snapshotRedis(admin);
      const commands = commandDeltas(before, after).filter((d) => !PROBE_COMMANDS.has(d.command));
      const calls = commands.reduce((sum, d) => sum + d.calls, 0);
      const m: Measurement = {
        bench,
        system: c.system,
        version: c.version,
        round: roundNo,
        jobs,
        seconds: round(seconds, 3),
        jobsPerSec: round(jobs / seconds, 0),
        clientCpuSec: round((cpu.user + cpu.system) / 1e6, 3),
        redisCpuSec: round(after.cpuSeconds - before.cpuSeconds, 3),
        redisCallsPerJob: round(calls / jobs, 2),
      };
      if (result.latenciesMs) {
        const sorted = [...result.latenciesMs].sort((a, b) => a - b);
        m.p50Ms = round(percentile(sorted, 50), 3);
        m.p95Ms = round(percentile(sorted, 95), 3);
        m.p99Ms = round(percentile(sorted, 99), 3);
        m.meanMs = round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 3);
      }
      printJsonLine(m);
      if (o.commandStats) {
        console.log(JSON.stringify({
          bench,
          system: c.system,
          round: roundNo,
          redisCommands: commands.slice(0, 15).map((d) => ({
            ...d,
            perJob: round(d.calls / jobs, 3),
            usecPerJob: round(d.usec / jobs, 2),
          })),
        }));
      }
      return m;
    } finally {
      await trial.dispose();
    }
  } finally {
    await c.clean();
  }
}

async function main(): Promise<void> {
  const o = parseBenchOptions();
  const runId = crypto.randomUUID().slice(0, 8);
  const admin = new Redis(o.redisUrl, { enableAutoPipelining: false, lazyConnect: true });
  await admin.connect();
  const contenders: Contender[] = [];
  const cleanUp = async () => {
    for (const c of contenders) {
      await c.clean().catch(() => {});
      await c.close().catch(() => {});
    }
    await admin.quit().catch(() => admin.disconnect());
  };
  const onSignal = () => {
    console.error("interrupted: deleting the bench's keys");
    cleanUp().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const all: Measurement[] = [];
  try {
    if (o.systems.includes("sluice")) {
      contenders.push(await SluiceContender.open(o.redisUrl, `bench-${runId}`));
    }
    if (o.systems.includes("bullmq")) {
      contenders.push(new BullmqContender(o.redisUrl, `bench-bullmq-${runId}`, admin));
    }
    const server = (await admin.info("server")).match(/redis_version:(\S+)/)?.[1] ?? "unknown";
    console.log(JSON.stringify({
      bench: "meta",
      versions: {
        ...Object.fromEntries(contenders.map((c) => [c.system, c.version])),
        redis: server,
        deno: Deno.version.deno,
      },
      options: { ...o, redisUrl: undefined },
      cpus: navigator.hardwareConcurrency,
    }));
    for (let r = 1; r <= o.rounds; r++) {
      const order = r % 2 === 1 ? contenders : [...contenders].reverse();
      for (const bench of o.benches) {
        for (const c of order) all.push(await measure(c, bench, r, o, admin));
      }
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    await cleanUp();
  }
  console.log("");
  const versions = contenders.map((c) => `${c.system} ${c.version}`).join(", ");
  console.log(`Sluice vs BullMQ (${versions}); ${o.jobs} jobs, ${o.rounds} round(s)`);
  printTable(all, o.benches);
}

if (import.meta.main) await main();
