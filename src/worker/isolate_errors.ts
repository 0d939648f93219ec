/**
 * Errors of the isolate pool: a job that ran past its timeout, and a job whose isolate died under
 * it. Both fail the attempt (it may be retried); neither is the handler's own error.
 *
 * @module
 */
import { SluiceError } from "../job/errors.ts";

/** A job ran past its timeout: its signal was aborted, and its isolate terminated if it spun on. */
export class TimeoutError extends SluiceError {
  /** The job that timed out. */
  readonly jobId: string;
  /** The timeout it ran past (ms). */
  readonly timeoutMs: number;

  /**
   * Creates the error; `terminated` says whether the isolate had to be terminated, or
   * `"abandoned"` that an inline handler ignored its signal and the worker stopped waiting for it.
   */
  constructor(
    jobId: string,
    functionName: string,
    timeoutMs: number,
    terminated: boolean | "abandoned",
  ) {
    super(
      "JOB_TIMEOUT",
      `job ${JSON.stringify(jobId)} (${functionName}) ran past its timeout of ${timeoutMs} ms` +
        (terminated === "abandoned"
          ? " and ignored its abort signal: the worker stopped waiting for it"
          : terminated
          ? " and ignored its abort signal: its isolate was terminated"
          : " and stopped on its abort signal"),
    );
    this.jobId = jobId;
    this.timeoutMs = timeoutMs;
  }
}

/** The isolate running a job crashed or was terminated before the job finished. */
export class IsolateCrashedError extends SluiceError {
  /** The job that was running. */
  readonly jobId: string;

  /** Creates the error for `jobId`; `reason` says what happened to the isolate. */
  constructor(jobId: string, reason: string) {
    super(
      "ISOLATE_CRASHED",
      `job ${JSON.stringify(jobId)} was lost with its isolate: ${reason}`,
    );
    this.jobId = jobId;
  }
}
