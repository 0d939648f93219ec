/**
 * Holding a request until a job finishes (`POST /v1/jobs` with `"wait"`, `GET /v1/jobs/{id}`
 * with `?wait=`), as serverless callers want: driven by the store's shared event stream through
 * `engine.result` (no polling of the job), bounded by `MAX_WAIT_MS`.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Engine } from "../engine.ts";
import { JobFailedError, ResultTimeoutError } from "../events/job_result.ts";
import { JobNotFoundError } from "../job/errors.ts";
import type { JobInfo } from "../job/job_info.ts";

/** The longest a request may wait for its job (ms). */
export const MAX_WAIT_MS = 60_000;

/** How long to wait (ms), 0 to `MAX_WAIT_MS`, as a body field. */
export const WaitMs = z.number().int().min(0).max(MAX_WAIT_MS).openapi({
  example: 5_000,
  description: `hold the request until the job finishes (completed, dead or cancelled), at ` +
    `most this many ms (up to ${MAX_WAIT_MS.toLocaleString("en-US")}); the answer is the job ` +
    "as it is then",
});

/** The same in a query string. */
export const WaitQuery = z.object({
  wait: z.coerce.number().int().min(0).max(MAX_WAIT_MS).optional().openapi({
    example: 5_000,
    description: "wait up to this many ms for the job to finish (at most 60,000) first",
  }),
});

/**
 * Job `id` once it finished, or as it is after `ms`; null when there is no such job. The wait
 * ends early when the job completes, dies or is cancelled on any node.
 */
export async function jobWhenFinished(
  engine: Engine,
  id: string,
  ms: number,
): Promise<JobInfo | null> {
  if (ms > 0) {
    try {
      await engine.result(id, { timeoutMs: ms });
    } catch (error) {
      const expected = error instanceof JobFailedError || error instanceof ResultTimeoutError ||
        error instanceof JobNotFoundError;
      if (!expected) throw error;
    }
  }
  return await engine.getJob(id);
}
