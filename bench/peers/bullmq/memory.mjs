/**
 * Memory per waiting job: one warm-up job in prepare (so script loading and queue metadata are
 * not counted), then the timed part adds `params.jobs` jobs with a `{ i, email }` payload in
 * bulk, `params.chunk` per call. The bench reads Redis `used_memory` around the timed part.
 *
 * @module
 */
import { closeAll, contactPayload, fill, openQueue } from "./_common.mjs";

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, chunk } = spec.params;
  const queue = await openQueue(spec);
  await fill(queue, 1, 1, 1, () => contactPayload(-1));
  return {
    run: async () => {
      await fill(queue, jobs, chunk, 1, contactPayload);
      return { jobs };
    },
    dispose: () => closeAll([], [queue]),
  };
}
