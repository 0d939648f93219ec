/**
 * Bulk enqueue: `jobs` jobs with `engine.enqueueBulk` (BullMQ: `queue.addBulk`), `chunk` per
 * call, one call after another.
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { benchPayload } from "../_payloads.ts";
import { Noop } from "../functions/noop.ts";

/** The bulk-enqueue scenario. */
export const enqueueBulk: Scenario = scenario<{ jobs: number; chunk: number }>({
  name: "enqueue-bulk",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  warmup: true,
  variants: (o) => [{ jobs: o.jobs, chunk: o.chunk }],
  label: () => "",
  figures: [
    { key: "jobsPerSec", label: "bulk enqueue j/s", better: "higher" },
    { key: "redisCpuUsPerJob", label: "bulk enqueue, Redis CPU µs/job", better: "lower" },
  ],
  async sluice(p, env) {
    const s = await SluiceBench.open(env, [Noop]);
    return {
      run: async () => {
        const jobs = p.jobs;
        await s.fill(jobs, p.chunk, (i) => ({ job: Noop, payload: benchPayload(i) }));
        return { jobs };
      },
      dispose: () => s.close(),
    };
  },
});
