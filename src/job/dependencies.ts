/**
 * Job dependencies: what a dependent does when a prerequisite fails.
 *
 * @module
 */

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

/** The error of a job dead-lettered because its prerequisite `id` ended `state`. */
export function prerequisiteFailedError(id: string, state: string): string {
  return JSON.stringify({
    name: "PrerequisiteFailedError",
    message: `prerequisite ${id} ended ${state}`,
  });
}
