/**
 * Handing a leased job back without spending its attempt, after a delay: a snooze or a rate
 * limit the handler asked for, or a payload version newer than this node's code (dead-lettered
 * once it came back too often). Used by every executor, so inline and isolate attempts behave alike.
 *
 * @module
 */
import { PayloadVersionError } from "../job/errors.ts";
import type { Reservation } from "../job/job.ts";
import { Status } from "../job/status.ts";
import { MAX_VERSION_HANDBACKS, VERSION_HANDBACK_DELAY_MS } from "../registry/versions.ts";
import { failedAttempt, type HandBackRequest } from "./failed_attempt.ts";
import type { AttemptOutcome } from "./run_job.ts";
import type { WorkerRuntime } from "./runtime.ts";

/**
 * The handler asked to run again in `delayMs` (a snooze), or to slow down (a rate limit: the
 * job waits first in its limit's line while its function, or key, pauses on every node).
 */
export function handedBack(
  runtime: WorkerRuntime,
  job: Reservation,
  request: HandBackRequest,
): Promise<AttemptOutcome> {
  const { delayMs, throttle } = request;
  return throttle
    ? releaseLater(runtime, job, { throttle: delayMs }, "rate limited", { delayMs }, "debug")
    : releaseLater(runtime, job, { delay: delayMs }, "snoozed", { delayMs }, "debug");
}

/**
 * The payload is version `version`, this node's code knows up to `known`: hands the job back
 * for a node that knows it, or dead-letters it once it was handed back `MAX_VERSION_HANDBACKS`
 * times.
 */
export function tooNew(
  runtime: WorkerRuntime,
  job: Reservation,
  version: number,
  known: number,
): Promise<AttemptOutcome> {
  if (job.releases >= MAX_VERSION_HANDBACKS) {
    const error = new PayloadVersionError(job.name, version, known, job.releases);
    return Promise.resolve(failedAttempt(runtime, job, error, false));
  }
  const fields = { version, known, handbacks: job.releases + 1 };
  const why = "payload version newer than this code";
  return releaseLater(runtime, job, { delay: VERSION_HANDBACK_DELAY_MS }, why, fields, "warn");
}

/**
 * Hands `job` back without spending its attempt, after a delay or a throttle (`why` says why, in
 * the logs).
 */
async function releaseLater(
  runtime: WorkerRuntime,
  job: Reservation,
  after: { delay: number } | { throttle: number },
  why: string,
  extra: Record<string, unknown>,
  level: "warn" | "debug",
): Promise<AttemptOutcome> {
  const fields = { job: job.id, fn: job.name, ...extra };
  try {
    const [status] = await runtime.store.release([
      { id: job.id, token: job.token, ...after },
    ]);
    if (status === Status.OK) {
      runtime.logger[level](`${why}: handed back`, fields);
    } else {
      runtime.logger.warn(`${why}: the hand-back was refused`, { ...fields, status });
    }
  } catch (error) {
    // the lease expires and the job is offered again
    runtime.logger.error(`${why}: the hand-back failed`, { ...fields, error: String(error) });
  }
  return { kind: "released" };
}
