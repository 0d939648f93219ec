/**
 * Job dependencies: what a dependent does when a prerequisite fails, the limits of a graph, and
 * what a running dependent sees of its prerequisites.
 *
 * @module
 */
import type { JobState } from "./states.ts";

/** Most prerequisites one job may have. */
export const MAX_PREREQUISITES = 1_000;

/** Most jobs one atomic enqueue call may hold. */
export const MAX_JOBS_PER_CALL = 50_000;

/** What a failed (dead or cancelled) prerequisite does to a job waiting on it. */
export const PREREQUISITE_FAILURE_POLICIES = ["fail", "skip", "wait"] as const;

/**
 * `fail` (default): the dependent is dead-lettered with an error naming the prerequisite, and so
 * are its own dependents that fail too; `skip`: the prerequisite counts as satisfied (its result
 * is null); `wait`: the dependent stays blocked, and runs if the prerequisite is requeued from the
 * dead-letter queue and completes.
 */
export type PrerequisiteFailurePolicy = typeof PREREQUISITE_FAILURE_POLICIES[number];

/** True when `value` is a prerequisite failure policy. */
export function isPrerequisiteFailurePolicy(value: unknown): value is PrerequisiteFailurePolicy {
  return typeof value === "string" &&
    (PREREQUISITE_FAILURE_POLICIES as readonly string[]).includes(value);
}

/** A prerequisite as a running dependent sees it. */
export interface PrerequisiteResult {
  /** Its job id. */
  id: string;
  /** Its function name ("" when the job no longer exists). */
  name: string;
  /** Its state: completed, or dead or cancelled under policy skip ("missing" when deleted). */
  state: JobState | "missing";
  /** Its decoded result when it completed, else null. */
  result: unknown;
}

/** The error of a job dead-lettered because its prerequisite `id` ended `state`. */
export function prerequisiteFailedError(id: string, state: string): string {
  return JSON.stringify({
    name: "PrerequisiteFailedError",
    message: `prerequisite ${id} ended ${state}`,
  });
}
