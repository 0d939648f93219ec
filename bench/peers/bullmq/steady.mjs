/**
 * Steady state: a worker of `params.concurrency` runs while a producer adds `params.jobs` jobs
 * one by one, `params.inflight` calls at once, paced at `params.rate` jobs/s (0: as fast as it
 * can). Timed from the first add to the last completion; each job's latency is its completion
 * time minus the time its add was called.
 *
 * @module
 */
import {
  benchPayload,
  closeAll,
  Countdown,
  delay,
  HANDLER_RESULT,
  JOB_NAME,
  nowMs,
  openQueue,
  openWorker,
  runPool,
} from "./_common.mjs";

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, inflight, concurrency, rate } = spec.params;
  const queue = await openQueue(spec);
  const countdown = new Countdown(jobs, "bullmq steady");
  const completedAt = new Map();
  const worker = openWorker(spec, queue.name, () => Promise.resolve(HANDLER_RESULT), {
    concurrency,
  }, {
    completed: (job) => {
      completedAt.set(job.id, nowMs());
      countdown.tick();
    },
    failed: (error) => countdown.fail(error),
  });
  await worker.waitUntilReady();
  void worker.run();
  return {
    run: async () => {
      const addedAt = new Map();
      const start = nowMs();
      await runPool(jobs, inflight, async (i) => {
        if (rate > 0) {
          const due = start + (i * 1000) / rate;
          if (due > nowMs()) await delay(due - nowMs());
        }
        const at = nowMs();
        const job = await queue.add(JOB_NAME, benchPayload(i));
        addedAt.set(job.id, at);
      });
      await countdown.done;
      const latenciesMs = [];
      for (const [id, at] of addedAt) latenciesMs.push(completedAt.get(id) - at);
      return { jobs, latenciesMs };
    },
    dispose: async () => {
      countdown.fail(new Error("disposed"));
      await closeAll([worker], [queue]);
    },
  };
}
