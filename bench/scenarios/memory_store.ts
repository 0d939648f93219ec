/**
 * The memory store (Sluice only, no Redis): `jobs` jobs pre-filled into a `MemoryStore` and
 * drained by one worker of `concurrency` running the inline no-op.
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { type DrainParams, prepareDrain } from "./_drain.ts";

/** The memory-store scenario. */
export const memoryStore: Scenario = scenario<DrainParams>({
  name: "memory-store",
  systems: ["sluice"],
  redis: "none",
  warmup: true,
  variants: (o) => [{
    jobs: o.jobs,
    concurrency: o.concurrency,
    chunk: o.chunk,
    fillInflight: 1,
    isolates: false,
  }],
  label: () => "",
  figures: [{ key: "jobsPerSec", label: "memory store processing j/s", better: "higher" }],
  sluice: (p, env) => prepareDrain(p, env, "memory-store"),
});
