/**
 * `engine.dependencies(id)`: a job's prerequisites (all of them) and a page of its dependents,
 * each with its state, function and lanes, in two store round trips.
 *
 * @module
 */
import { JobNotFoundError } from "../job/errors.ts";
import { MAX_DEPENDENTS_PAGE } from "../store/_shared.ts";
import type { Store } from "../store/store.ts";
import { type JobLink, readJobs, toJobLink } from "./job_link.ts";
import { nextCursor, offsetPage, type PageRequest } from "./page.ts";

/** Dependents shown per page by default. */
export const DEFAULT_DEPENDENTS_PAGE = 50;

/** A job's place in its dependency graph. */
export interface JobDependencies {
  /** Its prerequisites, in the order given (at most `MAX_PREREQUISITES`). */
  prerequisites: JobLink[];
  /** A page of the jobs depending on it, in the order they were enqueued. */
  dependents: JobLink[];
  /** How many jobs depend on it in all. */
  dependentCount: number;
  /** Cursor of the next page of dependents, or null. */
  nextCursor: string | null;
}

/**
 * The prerequisites and a page of the dependents (default 50, at most 1,000) of job `id`.
 * Throws `JobNotFoundError` for an unknown job, a `RangeError` for a bad page.
 */
export async function readDependencies(
  store: Store,
  id: string,
  page: PageRequest = {},
): Promise<JobDependencies> {
  const { offset, limit } = offsetPage(page, "dependencies", {
    default: DEFAULT_DEPENDENTS_PAGE,
    max: MAX_DEPENDENTS_PAGE,
  });
  const [record, dependentIds] = await Promise.all([
    store.getJob(id),
    store.dependents(id, { offset, limit }),
  ]);
  if (!record) throw new JobNotFoundError(id);
  const ids = [...record.prerequisites, ...dependentIds];
  const records = await readJobs(store, ids);
  const links = ids.map((linked, i) => toJobLink(linked, records[i]!));
  const split = record.prerequisites.length;
  return {
    prerequisites: links.slice(0, split),
    dependents: links.slice(split),
    dependentCount: record.dependents,
    nextCursor: nextCursor(offset, limit, offset + limit < record.dependents),
  };
}
