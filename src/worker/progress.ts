/**
 * Progress reports of running jobs (`ctx.progress`): a `progress` event in this process, and a
 * report written to the store for every process (`runtime.reports`). The same for inline and
 * isolate attempts.
 *
 * @module
 */
import type { Lane } from "../job/lanes.ts";
import { eventBase } from "./job_events.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** The job a report is about. */
export interface ProgressSubject {
  /** Job id. */
  id: string;
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** Lane. */
  lane: Lane;
  /** Attempt. */
  attempt: number;
}

/** Emits a progress event; throws a `RangeError` unless `percent` is from 0 to 100. */
export function emitProgress(
  runtime: WorkerRuntime,
  job: ProgressSubject,
  percent: number,
  message?: string,
): void {
  if (typeof percent !== "number" || !(percent >= 0 && percent <= 100)) {
    throw new RangeError(`progress: percent must be from 0 to 100, got ${percent}`);
  }
  const note = message === undefined ? {} : { message: String(message) };
  runtime.events.emit("progress", {
    ...eventBase(job, runtime.clock.now()),
    attempt: job.attempt,
    percent,
    ...note,
  });
  runtime.reports?.progress(job.id, percent, note.message);
}
