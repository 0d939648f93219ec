/**
 * What running jobs report in the memory store: progress (as `lua/progress.lua`) and log lines
 * (as `lua/append_logs.lua`).
 *
 * @module
 */
import { Status, type StatusCode } from "../../job/status.ts";
import { JOB_LOG_LIMIT } from "../_shared.ts";
import type { JobLogLine, ProgressReport } from "../store.ts";
import type { MemState } from "./mem_state.ts";

/** Records the progress of active jobs holding the given tokens, with a `progress` event each. */
export function progress(
  state: MemState,
  items: readonly ProgressReport[],
  now: number,
): StatusCode[] {
  return items.map((item) => {
    const job = state.jobs.get(item.id);
    if (!job) return Status.NOT_FOUND;
    if (job.state !== "active" || job.token !== item.token) return Status.LEASE_LOST;
    job.progress = item.message === undefined
      ? { percent: item.percent }
      : { percent: item.percent, message: item.message };
    state.observe.event("progress", job, now, { attempt: job.attempts, ...job.progress });
    return Status.OK;
  });
}

/** Appends log lines of existing jobs, keeping each job's newest `JOB_LOG_LIMIT`. */
export function appendLogs(state: MemState, items: readonly JobLogLine[]): number {
  let stored = 0;
  for (const { id, line } of items) {
    if (!state.jobs.has(id)) continue;
    let lines = state.logs.get(id);
    if (!lines) state.logs.set(id, lines = []);
    lines.push(line);
    if (lines.length > JOB_LOG_LIMIT) lines.splice(0, lines.length - JOB_LOG_LIMIT);
    stored++;
  }
  return stored;
}
