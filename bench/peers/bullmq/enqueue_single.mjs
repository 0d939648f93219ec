/**
 * Single enqueue: `params.jobs` calls of `queue.add`, `params.inflight` at once.
 *
 * @module
 */
import { benchPayload, closeAll, JOB_NAME, openQueue, runPool } from "./_common.mjs";

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, inflight } = spec.params;
  const queue = await openQueue(spec);
  return {
    run: async () => {
      await runPool(jobs, inflight, (i) => queue.add(JOB_NAME, benchPayload(i)));
      return { jobs };
    },
    dispose: () => closeAll([], [queue]),
  };
}
