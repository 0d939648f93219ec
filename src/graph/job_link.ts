/**
 * A job as its neighbours in a dependency graph show it: id, function, queue, state and lanes,
 * without payload or result; and the batched read behind every graph view.
 *
 * @module
 */
import type { JobRecord } from "../job/job.ts";
import type { Lane } from "../job/lanes.ts";
import type { JobState } from "../job/states.ts";
import { MAX_GET_JOBS } from "../store/_shared.ts";
import type { Store } from "../store/store.ts";

/** A job linked to another by a dependency. */
export interface JobLink {
  /** Job id. */
  id: string;
  /** Function name ("" when the job no longer exists). */
  name: string;
  /** Queue ("" when the job no longer exists). */
  queue: string;
  /** Its state, or "missing" when retention deleted it. */
  state: JobState | "missing";
  /** The lane it is served from (raised while a dependent waits); null when missing. */
  priority: Lane | null;
  /** The lane it was enqueued in, when priority inheritance raised it; else null. */
  requestedPriority: Lane | null;
}

/** The link of job `id`, read as `record` (null: the job no longer exists). */
export function toJobLink(id: string, record: JobRecord | null): JobLink {
  if (record === null) {
    return { id, name: "", queue: "", state: "missing", priority: null, requestedPriority: null };
  }
  return {
    id,
    name: record.name,
    queue: record.queue,
    state: record.state,
    priority: record.lane,
    requestedPriority: record.requestedLane,
  };
}

/** Reads `ids` in order (null where there is none), in calls of at most `MAX_GET_JOBS`. */
export async function readJobs(
  store: Store,
  ids: readonly string[],
): Promise<(JobRecord | null)[]> {
  if (ids.length <= MAX_GET_JOBS) return ids.length === 0 ? [] : await store.getJobs(ids);
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_GET_JOBS) chunks.push(ids.slice(i, i + MAX_GET_JOBS));
  return (await Promise.all(chunks.map((chunk) => store.getJobs(chunk)))).flat();
}
