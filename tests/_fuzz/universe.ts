/**
 * The names a fuzz trace uses: a few queues, workers (also the node ids) and a small pool of job
 * ids, so that operations keep meeting the same jobs; plus names that never hold anything.
 *
 * @module
 */

/** Function names. */
export const FUNCTIONS: readonly string[] = ["fn-a", "fn-b"];
/** Queues that hold jobs. */
export const QUEUES: readonly string[] = ["a", "b", "c"];
/** A queue name that never holds a job. */
export const UNKNOWN_QUEUE = "zz";
/** Workers, which are also the node ids. */
export const WORKERS: readonly string[] = ["w1", "w2", "w3"];
/** The job ids a trace can use (a small pool, so ids repeat). */
export const JOB_IDS: readonly string[] = Array.from({ length: 24 }, (_, i) => `j${i + 1}`);
/** An id no trace enqueues. */
export const UNKNOWN_ID = "j-none";
