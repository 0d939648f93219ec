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

/** The `JobLog` that hands every line to `write`. */
export function jobLog(
  write: (level: LogLevel, message: string, fields?: Record<string, unknown>) => void,
): JobLog {
  const line = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) =>
    write(level, String(message), fields);
  return Object.assign(line("info"), {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
  });
}
