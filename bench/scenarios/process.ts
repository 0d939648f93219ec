/**
 * Processing: `jobs` pre-filled jobs drained by one worker of `concurrency` running an inline
 * no-op (BullMQ: a `Worker` with an inline processor).
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { type DrainParams, prepareDrain } from "./_drain.ts";

/** The inline processing scenario. */
export const processInline: Scenario = scenario<DrainParams>({
  name: "process",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  warmup: true,
  variants: (o) => [{
    jobs: o.jobs,
    concurrency: o.concurrency,
    chunk: o.chunk,
    fillInflight: 4,
    isolates: false,
  }],
  label: () => "",
  figures: [
    { key: "jobsPerSec", label: "processing j/s", better: "higher" },
    { key: "redisCpuUsPerJob", label: "processing, Redis CPU µs/job", better: "lower" },
  ],
  sluice: (p, env) => prepareDrain(p, env, "process"),
});
