/**
 * Processing with isolation: as `process`, but Sluice runs the no-op function file
 * (bench/functions/noop.ts) in Deno isolates (`isolates: true`: one per core, the concurrency
 * spread over them), and BullMQ runs a sandboxed processor file
 * (bench/peers/noop_processor.mjs) in worker threads (`useWorkerThreads: true`).
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { type DrainParams, prepareDrain } from "./_drain.ts";

/** The isolated processing scenario. */
export const processIsolates: Scenario = scenario<DrainParams>({
  name: "process-isolates",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  warmup: true,
  variants: (o) => [{
    jobs: o.jobs,
    concurrency: o.concurrency,
    chunk: o.chunk,
    fillInflight: 4,
    isolates: true,
  }],
  label: () => "",
  figures: [{ key: "jobsPerSec", label: "processing, isolates j/s", better: "higher" }],
  sluice: (p, env) => prepareDrain(p, env, "process-isolates"),
});
