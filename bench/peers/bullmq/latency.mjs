/**
 * Idle latency: an idle worker of `params.concurrency`; the timed part adds `params.jobs` jobs
 * one at a time, each after the previous one completed, and records add-to-completion times
 * (after `params.warmup` unrecorded jobs, run in prepare).
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
  openQueue,
  openWorker,
} from "./_common.mjs";

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, concurrency, warmup } = spec.params;
  const queue = await openQueue(spec);
  let current = null;
  const worker = openWorker(spec, queue.name, () => Promise.resolve(HANDLER_RESULT), {
    concurrency,
  }, { completed: () => current?.tick(), failed: (error) => current?.fail(error) });
  await worker.waitUntilReady();
  void worker.run();
  const sample = async (n) => {
    const latencies = [];
    for (let i = 0; i < n; i++) {
      current = new Countdown(1, "bullmq latency", 10_000);
      const start = performance.now();
      await queue.add(JOB_NAME, benchPayload(i));
      await current.done;
      latencies.push(performance.now() - start);
    }
    return latencies;
  };
  await sample(warmup);
  await delay(50); // let the worker go idle again
  return {
    run: async () => ({ jobs, latenciesMs: await sample(jobs) }),
    block: async (count) => ({ latenciesMs: await sample(count) }),
    dispose: () => closeAll([worker], [queue]),
  };
}
