/**
 * The wait of a critical job while every slot is busy: `jobs` normal jobs of `jobMs` ms each are
 * pre-filled; the timed part starts a worker of `concurrency` and enqueues a critical job (Sluice:
 * lane `critical`; BullMQ: priority 1, the backlog having priority `normalPriority`) every
 * `everyMs` ms until the backlog has all started, then waits for everything. A critical job's
 * wait is the time its handler started minus the time its enqueue was called. `seconds` is how
 * long the backlog took: what keeping slots free for the upper lanes costs the normal lane.
 *
 * @module
 */
import { z } from "zod";
import { define } from "../../mod.ts";
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { delay } from "../_pacing.ts";
import { HANDLER_RESULT, nowMs } from "../_payloads.ts";

type CriticalParams = {
  jobs: number;
  jobMs: number;
  concurrency: number;
  everyMs: number;
  normalPriority: number;
};

/** The critical-wait scenario. */
export const critical: Scenario = scenario<CriticalParams>({
  name: "critical",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  variants: (o) => [{
    jobs: o.criticalJobs,
    jobMs: 50,
    concurrency: 8,
    everyMs: 100,
    normalPriority: 3,
  }],
  label: () => "",
  figures: [
    { key: "p50Ms", label: "critical wait p50 ms", better: "lower" },
    { key: "p99Ms", label: "critical wait p99 ms", better: "lower" },
    { key: "seconds", label: "critical: backlog drained in s", better: "lower" },
  ],
  async sluice(p, env) {
    const enqueuedAt = new Map<number, number>();
    const waits: number[] = [];
    let normalStarted = 0;
    const Sleep = define(
      {
        name: "bench-sleep",
        payload: z.object({ n: z.number(), ms: z.number(), critical: z.boolean().optional() }),
      },
      async ({ n, ms, critical }) => {
        if (critical) waits.push(nowMs() - enqueuedAt.get(n)!);
        else normalStarted++;
        await delay(ms);
        return HANDLER_RESULT;
      },
    );
    const s = await SluiceBench.open(env, [Sleep]);
    await s.fill(p.jobs, 1_000, (n) => ({ job: Sleep, payload: { n, ms: p.jobMs } }));
    const { countdown, off } = s.completions(p.jobs, "critical");
    let worker: ReturnType<typeof s.engine.work> | null = null;
    return {
      run: async () => {
        worker = s.engine.work({ concurrency: p.concurrency });
        let n = 0;
        while (normalStarted < p.jobs - p.concurrency) {
          await delay(p.everyMs);
          countdown.more(1);
          enqueuedAt.set(n, nowMs());
          await s.engine.enqueue(Sleep, { n, ms: p.jobMs, critical: true }, {
            priority: "critical",
          });
          n++;
        }
        await countdown.done;
        return { latenciesMs: waits.slice() };
      },
      dispose: async () => {
        countdown.fail(new Error("disposed"));
        await worker?.stop({ drainMs: 0 });
        off();
        await s.close();
      },
    };
  },
});
