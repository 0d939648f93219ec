/**
 * Who sees stack traces: they carry server paths and code structure, so the API shows them to
 * admin callers (and on an open, loopback-only gateway), and to read-only callers only when the
 * operator enables it (`exposeStacks`). Everything else about an error is always shown.
 *
 * @module
 */
import type { Context } from "hono";
import type { JobErrorInfo } from "../job/job.ts";
import type { JobInfo } from "../job/job_info.ts";
import { grantedScope } from "./auth.ts";
import type { LoggedEvent } from "./event_log.ts";

/** The error without its stack. */
function bare(error: JobErrorInfo | null): JobErrorInfo | null {
  if (error === null || error.stack === undefined) return error;
  const { stack: _, ...rest } = error;
  return rest;
}

/** `job` without the stacks of its error and of its attempts' errors. */
export function withoutStacks(job: JobInfo): JobInfo {
  return {
    ...job,
    error: bare(job.error),
    history: job.history.map((a) => ({ ...a, error: bare(a.error) })),
  };
}

/** How a gateway shows jobs and events to one request. */
export interface StackPolicy {
  /** `job` as this request may see it. */
  job(c: Context, job: JobInfo): JobInfo;
  /** `logged` as this request may see it. */
  event(c: Context, logged: LoggedEvent): LoggedEvent;
}

/** The policy: stacks for admin scope always, for read scope when `exposeStacks`. */
export function stackPolicy(exposeStacks: boolean): StackPolicy {
  const shows = (c: Context) => exposeStacks || grantedScope(c) === "admin";
  return {
    job: (c, job) => shows(c) ? job : withoutStacks(job),
    event: (c, logged) => {
      const error = (logged.event as { error?: JobErrorInfo }).error;
      if (shows(c) || !error?.stack) return logged;
      return { ...logged, event: { ...logged.event, error: bare(error) } as LoggedEvent["event"] };
    },
  };
}
