/**
 * Delayed-job firing: with an idle worker of `concurrency`, the timed part enqueues `jobs` jobs
 * due `leadMs` from now and then one every `spreadMs / jobs` ms (Sluice: `runAt`; BullMQ:
 * `delay`), and waits for all. Each job's firing error is the time its handler started minus
 * its due time (negative: early).
 *
 * @module
 */
import { z } from "zod";
import { define } from "../../mod.ts";
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { delay } from "../_pacing.ts";
import { HANDLER_RESULT, nowMs } from "../_payloads.ts";

type DelayedParams = { jobs: number; concurrency: number; leadMs: number; spreadMs: number };

/** The delayed-firing scenario. */
export const delayed: Scenario = scenario<DelayedParams>({
  name: "delayed",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  variants: (o) => [{
    jobs: o.delayedJobs,
    concurrency: o.concurrency,
    leadMs: o.quick ? 200 : 500,
    spreadMs: o.quick ? 400 : 4_000,
  }],
  label: () => "",
  figures: [
    { key: "p50Ms", label: "delayed firing error p50 ms", better: "lower" },
    { key: "p99Ms", label: "delayed firing error p99 ms", better: "lower" },
  ],
  async sluice(p, env) {
    const errors: number[] = [];
    const Due = define(
      { name: "bench-due", payload: z.object({ due: z.number() }) },
      ({ due }) => {
        errors.push(nowMs() - due);
        return HANDLER_RESULT;
      },
    );
    const s = await SluiceBench.open(env, [Due]);
    const worker = s.engine.work({ concurrency: p.concurrency });
    const warm = s.completions(1, "delayed warm-up");
    await s.engine.enqueue(Due, { due: nowMs() });
    await warm.countdown.done;
    warm.off();
    await delay(50);
    const { countdown, off } = s.completions(p.jobs, "delayed");
    return {
      run: async () => {
        errors.length = 0;
        const first = Math.ceil(nowMs()) + p.leadMs;
        const dues = Array.from(
          { length: p.jobs },
          (_, i) => first + Math.round((i * p.spreadMs) / p.jobs),
        );
        await Promise.all(dues.map((due) => s.engine.enqueue(Due, { due }, { runAt: due })));
        await countdown.done;
        return { latenciesMs: errors.slice() };
      },
      dispose: async () => {
        countdown.fail(new Error("disposed"));
        await worker.stop({ drainMs: 0 });
        off();
        await s.close();
      },
    };
  },
});
