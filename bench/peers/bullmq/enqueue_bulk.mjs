/**
 * Bulk enqueue: `params.jobs` jobs with `queue.addBulk`, `params.chunk` per call, one call
 * after another.
 *
 * @module
 */
import { closeAll, fill, openQueue } from "./_common.mjs";

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, chunk } = spec.params;
  const queue = await openQueue(spec);
  return {
    run: async () => {
      await fill(queue, jobs, chunk);
      return { jobs };
    },
    dispose: () => closeAll([], [queue]),
  };
}
