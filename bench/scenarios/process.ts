/**
 * Processing: `jobs` pre-filled jobs drained by one worker of `concurrency`, inline
 * (`process`: an inline no-op; BullMQ a `Worker` with an inline processor) and isolated
 * (`process-isolates`: Sluice runs the no-op function file bench/functions/noop.ts in Deno
 * isolates, `isolates: true`, one per core with the concurrency spread over them; BullMQ runs a
 * sandboxed processor file, bench/peers/noop_processor.mjs, in worker threads,
 * `useWorkerThreads: true`); and `process-quiet`: Sluice's inline processing with the event stream
 * and the metrics turned off (`events: 0`, `metrics: false`), to price them.
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import type { BenchName } from "../_options.ts";
import { type DrainParams, prepareDrain } from "./_drain.ts";

function processing(
  name: BenchName,
  isolates: boolean,
  label: string,
  observe = true,
): Scenario {
  return scenario<DrainParams>({
    name,
    systems: observe ? ["sluice", "bullmq"] : ["sluice"],
    redis: "shared",
    warmup: true,
    variants: (o) => [{
      jobs: o.jobs,
      concurrency: o.concurrency,
      chunk: o.chunk,
      fillInflight: 4,
      isolates,
      observe,
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

/** Inline processing with no event stream and no metrics (what they cost, against `process`). */
export const processQuiet: Scenario = processing(
  "process-quiet",
  false,
  "processing, no events or metrics",
  false,
);

/** The isolated processing scenario. */
export const processIsolates: Scenario = processing(
  "process-isolates",
  true,
  "processing, isolates",
);
