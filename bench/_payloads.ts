/**
 * What the jobs of both systems carry and return (bench/peers/bullmq/_common.mjs mirrors it),
 * and the clock per-job times are taken with.
 *
 * @module
 */

/** The small JSON payload of the no-op job. */
export interface BenchPayload {
  /** Sequence number of the job within its measurement. */
  n: number;
  /** A short string field. */
  user: string;
  /** Another short string field. */
  action: string;
}

/** The payload of job `n`. */
export function benchPayload(n: number): BenchPayload {
  return { n, user: `user-${n % 1000}`, action: "resize" };
}

/** The payload of the memory-per-job measurement. */
export interface ContactPayload {
  /** Sequence number. */
  i: number;
  /** An e-mail address. */
  email: string;
}

/** The `{ i, email }` payload of job `i`. */
export function contactPayload(i: number): ContactPayload {
  return { i, email: `user${i}@example.com` };
}

/** The small object every no-op handler returns. */
export const HANDLER_RESULT: Readonly<{ ok: boolean }> = Object.freeze({ ok: true });

/** A high-resolution wall clock: epoch ms with a fraction (comparable to due times). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
