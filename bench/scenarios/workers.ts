/**
 * Several worker processes on one Redis: `jobs` jobs are pre-filled and their queue paused
 * (untimed); `processes` processes (Sluice: bench/_sluice_worker.ts on Deno; BullMQ:
 * bench/peers/bullmq_worker.mjs on Node) each start a worker of `concurrency` on it; the timed
 * part resumes the queue and polls its counts every `pollMs` ms until nothing is waiting or
 * active. Client CPU is not reported: the work happens in the worker processes.
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { Child } from "../_child.ts";
import { delay } from "../_pacing.ts";
import { benchPayload } from "../_payloads.ts";
import { Noop } from "../functions/noop.ts";
import type { SluiceWorkerSpec } from "../_sluice_worker.ts";

const WORKER = new URL("../_sluice_worker.ts", import.meta.url).pathname;
const LOOPBACK = "127.0.0.1,localhost,[::1]";

type WorkersParams = {
  jobs: number;
  processes: number;
  concurrency: number;
  chunk: number;
  fillInflight: number;
  pollMs: number;
};

/** The several-processes scenario. */
export const workers: Scenario = scenario<WorkersParams>({
  name: "workers",
  systems: ["sluice", "bullmq"],
  redis: "shared",
  noClientCpu: true,
  variants: (o) => [{
    jobs: o.jobs,
    processes: o.processes,
    concurrency: o.concurrency,
    chunk: o.chunk,
    fillInflight: 4,
    pollMs: 20,
  }],
  label: (p) => `${p.processes} processes`,
  figures: [{ key: "jobsPerSec", label: "processing j/s", better: "higher" }],
  async sluice(p, env) {
    const s = await SluiceBench.open(env, [Noop]);
    const queue = Noop.queue;
    await s.fill(p.jobs, p.chunk, (i) => ({ job: Noop, payload: benchPayload(i) }), p.fillInflight);
    await s.engine.pause(queue);
    const spec: SluiceWorkerSpec = { ...env, concurrency: p.concurrency };
    const children = Array.from({ length: p.processes }, () =>
      new Child("deno", [
        "run",
        `--allow-net=${LOOPBACK}`,
        "--allow-env",
        "--allow-read",
        "--allow-sys",
        WORKER,
        JSON.stringify(spec),
      ], "sluice worker process"));
    try {
      await Promise.all(children.map((c) => c.next()));
    } catch (error) {
      children.forEach((c) => c.kill());
      await s.close();
      throw error;
    }
    const pending = async (): Promise<number> => {
      const { states } = await s.engine.counts(queue);
      return states.waiting + states.active + states.delayed;
    };
    return {
      run: async () => {
        await s.engine.resume(queue);
        while (await pending() > 0) await delay(p.pollMs);
        return { jobs: p.jobs };
      },
      dispose: async () => {
        await Promise.all(children.map((c) => c.close()));
        await s.close();
      },
    };
  },
});
