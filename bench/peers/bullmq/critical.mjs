/**
 * Critical wait: `params.jobs` jobs of `params.jobMs` ms each are pre-filled with priority
 * `params.normalPriority` (BullMQ runs jobs without a priority before prioritized ones, so the
 * backlog needs one for priority 1 to mean anything); the timed part starts a worker of
 * `params.concurrency` and adds a job of priority 1 every `params.everyMs` ms until the backlog
 * has all started, then waits for everything. Each critical job's wait is the time its processor
 * started minus the time its add was called.
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
  const { jobs, jobMs, concurrency, everyMs, normalPriority } = spec.params;
  const queue = await openQueue(spec);
  await fill(queue, jobs, 1000, 1, (n) => ({ n, ms: jobMs }), { priority: normalPriority });
  const addedAt = new Map();
  const waits = [];
  let normalStarted = 0;
  const processor = async (job) => {
    if (job.data.critical) waits.push(nowMs() - addedAt.get(job.data.n));
    else normalStarted++;
    await delay(job.data.ms);
    return { ok: true };
  };
  const countdown = new Countdown(jobs, "bullmq critical");
  const worker = openWorker(spec, queue.name, processor, { concurrency }, {
    completed: () => countdown.tick(),
    failed: (error) => countdown.fail(error),
  });
  await worker.waitUntilReady();
  return {
    run: async () => {
      void worker.run();
      let n = 0;
      while (normalStarted < jobs - concurrency) {
        await delay(everyMs);
        countdown.more(1);
        addedAt.set(n, nowMs());
        await queue.add(JOB_NAME, { n, ms: jobMs, critical: true }, { priority: 1 });
        n++;
      }
      await countdown.done;
      return { latenciesMs: waits.slice() };
    },
    dispose: async () => {
      countdown.fail(new Error("disposed"));
      await closeAll([worker], [queue]);
    },
  };
}
