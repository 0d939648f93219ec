/**
 * Processing: `params.jobs` jobs pre-filled in bulk (untimed), then the timed part starts a
 * worker of `params.concurrency` and waits for `params.sample` completions (default: all).
 * With `params.isolates`, the handler is a sandboxed processor file run in worker threads
 * (BullMQ's counterpart of Sluice's isolates); otherwise an inline no-op.
 *
 * @module
 */
import { closeAll, Countdown, fill, HANDLER_RESULT, openQueue, openWorker } from "./_common.mjs";

const SANDBOXED = new URL("../noop_processor.mjs", import.meta.url);

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, concurrency, chunk, fillInflight = 1, isolates = false } = spec.params;
  const sample = spec.params.sample ?? jobs;
  const queue = await openQueue(spec);
  await fill(queue, jobs, chunk, fillInflight);
  const countdown = new Countdown(sample, `bullmq ${spec.scenario}`);
  const processor = isolates ? SANDBOXED : () => Promise.resolve(HANDLER_RESULT);
  const worker = openWorker(spec, queue.name, processor, {
    concurrency,
    ...(isolates ? { useWorkerThreads: true } : {}),
  }, { completed: () => countdown.tick(), failed: (error) => countdown.fail(error) });
  await worker.waitUntilReady();
  return {
    run: async () => {
      void worker.run();
      await countdown.done;
      return { jobs: sample };
    },
    dispose: async () => {
      countdown.fail(new Error("disposed"));
      await closeAll([worker], [queue]);
    },
  };
}
