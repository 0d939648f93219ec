/**
 * Steady state: a worker of `concurrency` runs while a producer enqueues `jobs` jobs one by one,
 * `inflight` calls at once. Two variants: unpaced (as fast as the producer goes: throughput of
 * both together, latency mostly the backlog that builds up) and paced at `--steady-rate` jobs/s
 * for 10 s (1 s quick: latency under a load both systems carry). Timed from the first enqueue to
 * the last completion; each job's latency is the time of its `completed` event minus the time
 * its enqueue was called.
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { delay, runPool } from "../_pacing.ts";
import { benchPayload, nowMs } from "../_payloads.ts";
import { Noop } from "../functions/noop.ts";

type SteadyParams = { jobs: number; inflight: number; concurrency: number; rate: number };

/** The steady-state scenario. */
export const steady: Scenario = scenario<SteadyParams>({
  name: "steady",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  warmup: true,
  variants: (o) => {
    const base = { inflight: o.inflight, concurrency: o.concurrency };
    const paced = Math.min(o.jobs, o.steadyRate * (o.quick ? 1 : 10));
    return [
      { ...base, jobs: o.jobs, rate: 0 },
      ...(o.steadyRate > 0 ? [{ ...base, jobs: paced, rate: o.steadyRate }] : []),
    ];
  },
  label: (p) => (p.rate > 0 ? `${p.rate}/s` : "unpaced"),
  figures: [
    { key: "jobsPerSec", label: "steady state j/s", better: "higher" },
    { key: "p50Ms", label: "steady state latency p50 ms", better: "lower" },
    { key: "p99Ms", label: "steady state latency p99 ms", better: "lower" },
  ],
  async sluice(p, env) {
    const s = await SluiceBench.open(env, [Noop]);
    const { countdown, off } = s.completions(p.jobs, "steady");
    const completedAt = new Map<string, number>();
    const offAt = s.engine.on("completed", (e) => completedAt.set(e.id, nowMs()));
    const worker = s.engine.work({ concurrency: p.concurrency });
    await worker.ready;
    return {
      run: async () => {
        const enqueuedAt = new Map<string, number>();
        const start = nowMs();
        await runPool(p.jobs, p.inflight, async (i) => {
          if (p.rate > 0) {
            const due = start + (i * 1000) / p.rate;
            if (due > nowMs()) await delay(due - nowMs());
          }
          const at = nowMs();
          enqueuedAt.set(await s.engine.enqueue(Noop, benchPayload(i)), at);
        });
        await countdown.done;
        const latenciesMs = [...enqueuedAt].map(([id, at]) => completedAt.get(id)! - at);
        return { jobs: p.jobs, latenciesMs };
      },
      dispose: async () => {
        countdown.fail(new Error("disposed"));
        await worker.stop({ drainMs: 0 });
        off();
        offAt();
        await s.close();
      },
    };
  },
});
