/**
 * Redis instructions per idle job, Sluice against BullMQ, on one redis-server under valgrind's
 * callgrind: the `latency` scenario's own trials (an idle worker of 50; jobs enqueued one at a
 * time, each after the previous one completed; BullMQ in its Node peer), each counted from 300 ms
 * after its preparation to the end of its run, for each retention mode. What an idle job costs
 * Redis is most of what separates the two systems' idle latency on a machine whose calls run with
 * cold caches; counted in instructions, it moves far less with the machine's load than timings do
 * (only the idle machinery's share grows with the run's wall time).
 * The counts include what each system's idle machinery does meanwhile (Sluice's heartbeats,
 * BullMQ's blocking pops), as a user's Redis would see it.
 *
 * ```sh
 * deno task bench:idle-cost [--jobs 400]
 * ```
 *
 * Needs valgrind and the Node peers (`npm ci --prefix bench/peers`); runs about 30 s.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CallgrindRedis } from "./_callgrind_redis.ts";
import { positiveCounts } from "./_tool_args.ts";
import { ensurePeers, preparePeer } from "./_peer.ts";
import type { Retention, SystemName } from "./_options.ts";
import type { Trial } from "./_scenario.ts";
import { latency } from "./scenarios/latency.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { jobs: { type: "string", default: "400" } },
});
const { jobs } = positiveCounts("bench:idle-cost", { jobs: values.jobs });

await ensurePeers();
const redis = await CallgrindRedis.start("bench:idle-cost");
const url = redis.server.url;
const params = { jobs, concurrency: 50, warmup: 20 };

/** Redis instructions per job of `trial`'s run, counted from now. */
async function perJob(trial: Trial): Promise<number> {
  try {
    await new Promise((resolve) => setTimeout(resolve, 300)); // start-up traffic passes first
    await redis.dump();
    await trial.run();
    return (await redis.dump()) / jobs;
  } finally {
    await trial.dispose();
  }
}

const rows: { retention: Retention; system: SystemName; perJob: number }[] = [];
try {
  for (const retention of ["keep", "remove"] as const) {
    const bullmq = await preparePeer({
      scenario: "latency",
      params,
      url,
      prefix: `idle-cost-${retention}`,
      retention,
    });
    rows.push({ retention, system: "bullmq", perJob: await perJob(bullmq) });
    const sluice = await latency.sluice(params, {
      url,
      namespace: `idle-cost-${retention}`,
      retention,
    });
    rows.push({ retention, system: "sluice", perJob: await perJob(sluice) });
  }
} finally {
  await redis.stop();
}

console.log(`\n### Redis instructions per idle job (callgrind), ${jobs} jobs each\n`);
console.log("| retention | sluice | bullmq | sluice/bullmq |");
console.log("| --- | ---: | ---: | ---: |");
for (const retention of ["keep", "remove"] as const) {
  const of = (system: SystemName) =>
    rows.find((r) => r.retention === retention && r.system === system)!.perJob;
  const [s, b] = [of("sluice"), of("bullmq")];
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(`| ${retention} | ${n(s)} | ${n(b)} | ${(s / b).toFixed(2)} |`);
}
for (const r of rows) console.log(JSON.stringify({ bench: "idle-cost", jobs, ...r }));
