/**
 * What running jobs report, written to the store so that every process sees it: progress
 * (`ctx.progress`: a `progress` event and the job's latest report) and log lines (`ctx.log`,
 * kept with the job). Reports are batched per store call like outcomes (see `Coalescer`), and a
 * report that cannot be written is logged and dropped: they never hold up a job.
 *
 * @module
 */
import type { LogLevel } from "../job/logger.ts";
import type { StatusCode } from "../job/status.ts";
import { truncateText } from "../job/truncate.ts";
import type { JobLogLine, ProgressReport, Store } from "../store/store.ts";
import { Coalescer } from "./coalescer.ts";

/** Longest stored log message, in characters. */
export const JOB_LOG_MESSAGE_LIMIT = 4 * 1024;

/** Longest stored log line (its JSON text), in characters; larger fields are left out. */
export const JOB_LOG_LINE_LIMIT = 16 * 1024;

/** Where running jobs' reports go. */
export interface JobReports {
  /** Job `id` reports `percent` done, with an optional note. */
  progress(id: string, percent: number, message?: string): void;
  /** Job `id` logs a line. */
  log(id: string, level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** A node's reports: batched writes for the jobs whose lease token `tokenOf` knows. */
export class StoreJobReports implements JobReports {
  /** The lease token of a job running on the node (set by the node), or undefined. */
  tokenOf: (id: string) => string | undefined = () => undefined;
  #progress: Coalescer<ProgressReport, StatusCode>;
  #logs: Coalescer<JobLogLine, number>;
  #now: () => number;
  #onError: (what: string, error: unknown) => void;

  /** Writes to `store`; `onError` hears of a batch that could not be written. */
  constructor(store: Store, now: () => number, onError: (what: string, error: unknown) => void) {
    this.#progress = new Coalescer((items) => store.progress(items));
    this.#logs = new Coalescer(async (items) => {
      await store.appendLogs(items);
      return items.map(() => 1);
    });
    this.#now = now;
    this.#onError = onError;
  }

  progress(id: string, percent: number, message?: string): void {
    const token = this.tokenOf(id);
    if (token === undefined) return; // the job no longer runs here
    const item = message === undefined ? { id, token, percent } : { id, token, percent, message };
    this.#progress.add(item).catch((error) => this.#onError("progress", error));
  }

  log(id: string, level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const text = truncateText(message, JOB_LOG_MESSAGE_LIMIT);
    let line = JSON.stringify({ at: this.#now(), level, message: text, fields });
    if (line.length > JOB_LOG_LINE_LIMIT) {
      line = JSON.stringify({ at: this.#now(), level, message: text, fields: "[too large]" });
    }
    this.#logs.add({ id, line }).catch((error) => this.#onError("log", error));
  }

  /** Resolves when every report queued so far is written (or failed). */
  async drain(): Promise<void> {
    await Promise.all([this.#progress.drain(), this.#logs.drain()]);
  }
}
