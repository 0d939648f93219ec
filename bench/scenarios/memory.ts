/**
 * Redis memory per waiting job: on a redis-server of the measurement's own, one warm-up job is
 * enqueued while preparing (so script loading and queue metadata are not counted), then the
 * timed part enqueues `jobs` jobs with a `{ i, email }` payload in bulk, `chunk` per call. The
 * harness reads `used_memory` before and after: `bytesPerJob` is the difference over `jobs`.
 *
 * @module
 */
import { z } from "zod";
import { define } from "../../mod.ts";
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { contactPayload, HANDLER_RESULT } from "../_payloads.ts";

type MemoryParams = { jobs: number; chunk: number };

const Contact = define(
  { name: "bench-noop", payload: z.object({ i: z.number().int(), email: z.string() }) },
  () => HANDLER_RESULT,
);

/** The memory-per-job scenario. */
export const memory: Scenario = scenario<MemoryParams>({
  name: "memory",
  systems: ["sluice", "bullmq"],
  redis: "private",
  measuresMemory: true,
  variants: (o) => [{ jobs: o.memoryJobs, chunk: o.chunk }],
  label: () => "",
  figures: [{ key: "bytesPerJob", label: "Redis bytes per waiting job", better: "lower" }],
  async sluice(p, env) {
    const s = await SluiceBench.open(env, [Contact]);
    await s.engine.enqueue(Contact, contactPayload(-1));
    return {
      run: async () => {
        await s.fill(p.jobs, p.chunk, (i) => ({ job: Contact, payload: contactPayload(i) }));
        return { jobs: p.jobs };
      },
      dispose: () => s.close(),
    };
  },
});
