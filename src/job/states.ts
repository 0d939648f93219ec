/**
 * Job states: a closed union, and which of them are final.
 *
 * @module
 */

/** Every state a job can be in. */
export const JOB_STATES = [
  "waiting",
  "delayed",
  "blocked",
  "active",
  "completed",
  "dead",
  "cancelled",
] as const;

/**
 * The state of a job.
 *
 * `blocked` (waiting on prerequisites) -> `delayed` (due later) -> `waiting` (in a lane) ->
 * `active` (leased to a worker) -> `completed` | `dead` (dead-letter queue) | `cancelled`.
 */
export type JobState = typeof JOB_STATES[number];

/** States a job never leaves on its own. */
export const FINAL_STATES: readonly JobState[] = ["completed", "dead", "cancelled"];

/** True when `state` is final (`completed`, `dead` or `cancelled`). */
export function isFinalState(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** True when `value` names a job state. */
export function isJobState(value: unknown): value is JobState {
  return typeof value === "string" && (JOB_STATES as readonly string[]).includes(value);
}
