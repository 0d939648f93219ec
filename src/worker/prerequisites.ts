/**
 * Loading what a dependent job sees of its prerequisites before it runs: one store read for all
 * of them, results decoded on the node (isolates get the decoded values).
 *
 * @module
 */
import type { PrerequisiteResult } from "../job/dependencies.ts";
import type { Reservation } from "../job/job.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** The prerequisites of a job that has none. */
export const NO_PREREQUISITES: readonly PrerequisiteResult[] = Object.freeze([]);

/** The prerequisites of `job` with their results (none for a job without prerequisites). */
export async function loadPrerequisites(
  runtime: WorkerRuntime,
  job: Reservation,
): Promise<readonly PrerequisiteResult[]> {
  if (job.prerequisites.length === 0) return NO_PREREQUISITES;
  const records = await runtime.store.getJobs(job.prerequisites);
  return records.map((record, i): PrerequisiteResult => {
    if (record === null) {
      return { id: job.prerequisites[i]!, name: "", state: "missing", result: null };
    }
    const result = record.state === "completed" && record.result !== null
      ? runtime.encoder.decode(record.result).value
      : null;
    return { id: record.id, name: record.name, state: record.state, result };
  });
}
