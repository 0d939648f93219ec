/**
 * Processing: `jobs` pre-filled jobs drained by one worker of `concurrency`, inline
 * (`process`: an inline no-op; BullMQ a `Worker` with an inline processor) and isolated
 * (`process-isolates`: Sluice runs the no-op function file bench/functions/noop.ts in Deno
 * isolates, `isolates: true`, one per core with the concurrency spread over them; BullMQ runs a
 * sandboxed processor file, bench/peers/noop_processor.mjs, in worker threads,
 * `useWorkerThreads: true`).
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import type { BenchName } from "../_options.ts";
import { type DrainParams, prepareDrain } from "./_drain.ts";

function processing(name: BenchName, isolates: boolean, label: string): Scenario {
  return scenario<DrainParams>({
    name,
    systems: ["sluice", "bullmq"],
    redis: "shared",
    warmup: true,
    variants: (o) => [{
      jobs: o.jobs,
      concurrency: o.concurrency,
      chunk: o.chunk,
      fillInflight: 4,
      isolates,
    }],
    label: () => "",
    figures: [
      { key: "jobsPerSec", label: `${label} j/s`, better: "higher" },
      { key: "redisCpuUsPerJob", label: `${label}, Redis CPU µs/job`, better: "lower" },
    ],
    sluice: (p, env) => prepareDrain(p, env, name),
  });
}

/** The inline processing scenario. */
export const processInline: Scenario = processing("process", false, "processing");

/** The isolated processing scenario. */
export const processIsolates: Scenario = processing(
  "process-isolates",
  true,
  "processing, isolates",
);
