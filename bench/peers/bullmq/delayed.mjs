/**
 * Delayed-job firing: with an idle worker of `params.concurrency`, the timed part adds
 * `params.jobs` jobs due `params.leadMs` from now and then one every `params.spreadMs /
 * params.jobs` ms (`delay` = due time minus now), and waits for all. Each job's error is the
 * time its processor started minus its due time.
 *
 * @module
 */
import {
  closeAll,
  Countdown,
  delay,
  fill,
  JOB_NAME,
  nowMs,
  openQueue,
  openWorker,
} from "./_common.mjs";

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, concurrency, leadMs, spreadMs } = spec.params;
  const queue = await openQueue(spec);
  const errors = [];
  let countdown = new Countdown(1, "bullmq delayed warm-up", 10_000);
  const processor = (job) => {
    errors.push(nowMs() - job.data.due);
    return Promise.resolve({ ok: true });
  };
  const worker = openWorker(spec, queue.name, processor, { concurrency }, {
    completed: () => countdown.tick(),
    failed: (error) => countdown.fail(error),
  });
  await worker.waitUntilReady();
  void worker.run();
  await fill(queue, 1, 1, 1, () => ({ due: nowMs() })); // warm-up
  await countdown.done;
  await delay(50);
  return {
    run: async () => {
      errors.length = 0;
      countdown = new Countdown(jobs, "bullmq delayed", 30_000 + leadMs + spreadMs);
      const first = Math.ceil(nowMs()) + leadMs;
      const adds = [];
      for (let i = 0; i < jobs; i++) {
        const due = first + Math.round((i * spreadMs) / jobs);
        adds.push(queue.add(JOB_NAME, { due }, { delay: Math.max(0, due - Date.now()) }));
      }
      await Promise.all(adds);
      await countdown.done;
      return { latenciesMs: errors.slice() };
    },
    dispose: async () => {
      countdown.fail(new Error("disposed"));
      await closeAll([worker], [queue]);
    },
  };
}
