/**
 * One node serving many queues, on a redis-server of the measurement's own: Sluice runs one node
 * (`engine.work({ queues, concurrency })`) over all `queues` queues; BullMQ, which serves one
 * queue per `Worker`, runs `queues` workers in one process. Once the node is ready, the harness
 * counts every Redis command (`INFO commandstats`, commands inside scripts included, its own
 * INFO calls excluded) over the idle window: `idleCommandsPerSec`. The timed part then enqueues
 * one job to every queue (Sluice: one `enqueueBulk`; BullMQ: one `add` per queue, all at once)
 * and waits until all have completed (`seconds`).
 *
 * @module
 */
import { type Scenario, scenario } from "../_scenario.ts";
import { SluiceBench } from "../_sluice.ts";
import { benchPayload } from "../_payloads.ts";
import { Noop } from "../functions/noop.ts";

type QueuesParams = { queues: number; concurrency: number; bullmqWorkerConcurrency: number };

/** The many-queues scenario. */
export const queues: Scenario = scenario<QueuesParams>({
  name: "queues",
  systems: ["sluice", "bullmq"],
  redis: "private",
  idleSeconds: (o) => o.idleSeconds,
  variants: (o) =>
    o.queueCounts.map((n) => ({
      queues: n,
      concurrency: o.concurrency,
      bullmqWorkerConcurrency: 1,
    })),
  label: (p) => `${p.queues} queue${p.queues === 1 ? "" : "s"}`,
  figures: [
    { key: "idleCommandsPerSec", label: "idle Redis commands/s", better: "lower" },
    { key: "seconds", label: "drain one job per queue s", better: "lower" },
  ],
  async sluice(p, env) {
    const s = await SluiceBench.open(env, [Noop]);
    const names = Array.from({ length: p.queues }, (_, i) => `bench-q${i}`);
    const worker = s.engine.work({ queues: names, concurrency: p.concurrency });
    await worker.ready;
    let off = (): void => {};
    return {
      run: async () => {
        const completions = s.completions(p.queues, "queues");
        off = completions.off;
        await s.engine.enqueueBulk(
          names.map((queue, i) => ({ job: Noop, payload: benchPayload(i), options: { queue } })),
        );
        await completions.countdown.done;
        return {};
      },
      dispose: async () => {
        await worker.stop({ drainMs: 0 });
        off();
        await s.close();
      },
    };
  },
});
