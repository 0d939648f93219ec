/**
 * `engine.result`: waiting for a job to finish, whichever process runs it, driven by the shared
 * event stream (one read of the job after its final event, no polling).
 *
 * @module
 */
import { JobNotFoundError, SluiceError } from "../job/errors.ts";
import type { JobErrorInfo } from "../job/job.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { JobState } from "../job/states.ts";
import type { EventFeed } from "./event_feed.ts";

/** The job ended dead or cancelled instead of completing. */
export class JobFailedError extends SluiceError {
  /** The job. */
  readonly jobId: string;
  /** How it ended. */
  readonly state: JobState;
  /** Its last error, when it has one. */
  readonly error: JobErrorInfo | null;

  /** Job `jobId` ended `state` with `error`. */
  constructor(jobId: string, state: JobState, error: JobErrorInfo | null) {
    super(
      "JOB_FAILED",
      `job ${JSON.stringify(jobId)} ended ${state}` +
        (error ? `: ${error.name}: ${error.message}` : ""),
    );
    this.jobId = jobId;
    this.state = state;
    this.error = error;
  }
}

/** The job did not finish within the wait. */
export class ResultTimeoutError extends SluiceError {
  /** The job. */
  readonly jobId: string;

  /** Job `jobId` was still unfinished after `ms`. */
  constructor(jobId: string, ms: number) {
    super("RESULT_TIMEOUT", `job ${JSON.stringify(jobId)} did not finish within ${ms} ms`);
    this.jobId = jobId;
  }
}

const FINAL: ReadonlySet<JobState> = new Set(["completed", "dead", "cancelled"]);

/**
 * Waits for job `id` to finish: its decoded result, or a `JobFailedError`, a
 * `ResultTimeoutError` after `timeoutMs`, a `JobNotFoundError`.
 */
export async function waitForResult(
  feed: EventFeed,
  read: (id: string) => Promise<JobInfo | null>,
  id: string,
  timeoutMs: number,
): Promise<unknown> {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`result: timeoutMs must be a whole number of ms, got ${timeoutMs}`);
  }
  // settles on the job's final event, or when the feed missed events (read the job again)
  let news = Promise.withResolvers<void>();
  const stop = await feed.subscribe(({ type, event }) => {
    if (event.id !== id) return;
    const final = type === "completed" || type === "cancelled" ||
      (type === "failed" && "state" in event && event.state === "dead");
    if (final) news.resolve();
  }, () => news.resolve());
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    let job = await read(id);
    if (!job) throw new JobNotFoundError(id);
    const late = new Promise<"late">((resolve) => timer = setTimeout(resolve, timeoutMs, "late"));
    while (!FINAL.has(job!.state)) {
      if (await Promise.race([news.promise, late]) === "late") {
        throw new ResultTimeoutError(id, timeoutMs);
      }
      news = Promise.withResolvers<void>();
      job = await read(id);
      if (!job) break; // finished and dropped by retention: outcomeOf says so
    }
    return outcomeOf(id, job);
  } finally {
    clearTimeout(timer);
    stop();
  }
}

function outcomeOf(id: string, job: JobInfo | null): unknown {
  if (!job) {
    throw new SluiceError(
      "RESULT_GONE",
      `job ${JSON.stringify(id)} finished but is no longer kept (retention keepFinished 0?)`,
    );
  }
  if (job.state === "completed") return job.result;
  throw new JobFailedError(id, job.state, job.error);
}
