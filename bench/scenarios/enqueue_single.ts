/**
 * Single enqueue: `jobs` calls of `engine.enqueue` (BullMQ: `queue.add`), `inflight` at once.
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { runPool } from "../_pacing.ts";
import { benchPayload } from "../_payloads.ts";
import { Noop } from "../functions/noop.ts";

/** The single-enqueue scenario. */
export const enqueueSingle: Scenario = scenario<{ jobs: number; inflight: number }>({
  name: "enqueue-single",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  warmup: true,
  variants: (o) => [{ jobs: o.jobs, inflight: o.inflight }],
  label: () => "",
  figures: [
    { key: "jobsPerSec", label: "single enqueue j/s", better: "higher" },
    { key: "redisCpuUsPerJob", label: "single enqueue, Redis CPU µs/job", better: "lower" },
  ],
  async sluice(p, env) {
    const s = await SluiceBench.open(env, [Noop]);
    return {
      run: async () => {
        const jobs = p.jobs;
        await runPool(jobs, p.inflight, (i) => s.engine.enqueue(Noop, benchPayload(i)));
        return { jobs };
      },
      dispose: () => s.close(),
    };
  },
});
