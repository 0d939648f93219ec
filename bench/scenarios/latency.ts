/**
 * Idle latency: an idle worker of `concurrency`; the timed part enqueues `jobs` jobs one at a
 * time, each after the previous one completed, and records enqueue-to-completion times (after
 * `warmup` unrecorded jobs, as many as the recorded ones, run while preparing). With both
 * systems, the two run interleaved in blocks of 25 jobs.
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { type Countdown, delay, sequentialLatencies } from "../_pacing.ts";
import { benchPayload } from "../_payloads.ts";
import { Noop } from "../functions/noop.ts";

/** Jobs per block when both systems run, interleaved (see bench/_interleave.ts). */
const LATENCY_BLOCK = 25;

type LatencyParams = { jobs: number; concurrency: number; warmup: number };

/** The idle latency scenario. */
export const latency: Scenario = scenario<LatencyParams>({
  name: "latency",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  interleave: () => LATENCY_BLOCK,
  // as many unrecorded jobs as recorded ones: BullMQ's Node process is fresh at every round and
  // Sluice's is not, and with 20 (as before) BullMQ was timed with a cold JIT (p50 0.43-0.49 ms,
  // 0.34-0.35 after 2,000), Sluice warm from its earlier rounds
  variants: (o) => [{ jobs: o.latencyJobs, concurrency: o.concurrency, warmup: o.latencyJobs }],
  label: () => "",
  figures: [
    { key: "p50Ms", label: "idle latency p50 ms", better: "lower" },
    { key: "p99Ms", label: "idle latency p99 ms", better: "lower" },
  ],
  async sluice(p, env) {
    const s = await SluiceBench.open(env, [Noop]);
    let current: Countdown | null = null;
    const offCompleted = s.engine.on("completed", () => current?.tick());
    const offFailed = s.engine.on("failed", (e) => current?.fail(new Error(`job failed: ${e.id}`)));
    const worker = s.engine.work({ concurrency: p.concurrency });
    const sample = (n: number) =>
      sequentialLatencies(n, "sluice latency", (i, countdown) => {
        current = countdown;
        return s.engine.enqueue(Noop, benchPayload(i));
      }, s.diagnose);
    await sample(p.warmup);
    await delay(50); // let the worker go idle again
    return {
      run: async () => ({ jobs: p.jobs, latenciesMs: await sample(p.jobs) }),
      block: async (count) => ({ latenciesMs: await sample(count) }),
      dispose: async () => {
        await worker.stop();
        offCompleted();
        offFailed();
        await s.close();
      },
    };
  },
});
