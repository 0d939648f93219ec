/**
 * Processing at a backlog: for each backlog size, that many jobs are bulk-loaded (untimed, 4
 * calls in flight) into a redis-server of the measurement's own, and the timed part drains the
 * first `backlogSample` of them (the same count at every size, so the figures compare the cost
 * per job, not the tail of the drain).
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { type DrainParams, prepareDrain } from "./_drain.ts";
import { formatSize } from "../_measurement.ts";

type BacklogParams = DrainParams & { backlog: number };

/** The backlog scenario. */
export const backlog: Scenario = scenario<BacklogParams>({
  name: "backlog",
  systems: ["sluice", "bullmq"],
  redis: "private",
  warmup: true,
  variants: (o) =>
    o.backlogs.map((size) => ({
      backlog: size,
      jobs: size,
      sample: Math.min(o.backlogSample, ...o.backlogs),
      concurrency: o.concurrency,
      chunk: o.chunk,
      fillInflight: 4,
      isolates: false,
    })),
  label: (p) => `${formatSize(p.backlog)} backlog`,
  figures: [{ key: "jobsPerSec", label: "processing j/s", better: "higher" }],
  sluice: (p, env) => prepareDrain(p, env, "backlog"),
});
