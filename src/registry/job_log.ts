/**
 * `ctx.log`: a job's logger. Called as a function it logs at info level; `.debug`, `.info`,
 * `.warn` and `.error` pick the level. Lines go to the node's log, tagged with the job, and are
 * stored with the job (bounded), whichever process runs it. One builder for inline and isolate
 * attempts.
 *
 * @module
 */
import type { Logger, LogLevel } from "../job/logger.ts";

/** A job's logger: callable (info level), with a method per level. */
export type JobLog = Logger & ((message: string, fields?: Record<string, unknown>) => void);

/**
 * The `JobLog` that hands every line to `write`. Made for every attempt, so each level's
 * function is written out and set directly (a shared factory and `Object.assign` cost the hot
 * path about twice the memory).
 */
export function jobLog(write: LineWriter): JobLog {
  const log = (message: string, fields?: Fields) => write("info", String(message), fields);
  log.debug = (message: string, fields?: Fields) => write("debug", String(message), fields);
  log.info = (message: string, fields?: Fields) => write("info", String(message), fields);
  log.warn = (message: string, fields?: Fields) => write("warn", String(message), fields);
  log.error = (message: string, fields?: Fields) => write("error", String(message), fields);
  return log;
}

type Fields = Record<string, unknown>;

/** Where a job's log lines go. */
type LineWriter = (level: LogLevel, message: string, fields?: Fields) => void;
