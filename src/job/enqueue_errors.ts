/**
 * Why a store refused an enqueue call as a whole (nothing was stored): a unique key held by
 * another job, or a prerequisite that does not exist.
 *
 * @module
 */
import { SluiceError } from "./errors.ts";
import type { JobState } from "./states.ts";

/** A job with the same unique key holds it (`onConflict: "reject"`, or a refused replace). */
export class DuplicateJobError extends SluiceError {
  /** Index of the refused item in its call (0 for a single enqueue). */
  readonly index: number;
  /** The job holding the key. */
  readonly existingId: string;
  /** Its state. */
  readonly existingState: JobState;
  /** The unique key. */
  readonly key: string;
  /** Why a replace was refused, or "". */
  readonly reason: string;

  /** Item `index` conflicts with `existingId` (in `existingState`) on `key`; `why` explains. */
  constructor(index: number, key: string, existingId: string, existingState: JobState, why = "") {
    super(
      "DUPLICATE_JOB",
      `item ${index}: unique key ${JSON.stringify(key)} is held by job ${
        JSON.stringify(existingId)
      } (${existingState})${why ? `: ${why}` : ""}; nothing was stored`,
    );
    this.index = index;
    this.key = key;
    this.existingId = existingId;
    this.existingState = existingState;
    this.reason = why;
  }

  /** The same error for item `index` of the caller's call (the store saw another order). */
  at(index: number): DuplicateJobError {
    return new DuplicateJobError(index, this.key, this.existingId, this.existingState, this.reason);
  }
}

/** A prerequisite is neither a job of the call nor an existing job. */
export class UnknownPrerequisiteError extends SluiceError {
  /** Index of the item naming it. */
  readonly index: number;
  /** The unknown id or ref. */
  readonly prerequisite: string;

  /** Item `index` depends on `prerequisite`, which does not exist. */
  constructor(index: number, prerequisite: string) {
    super(
      "UNKNOWN_PREREQUISITE",
      `item ${index}: prerequisite ${
        JSON.stringify(prerequisite)
      } is neither a ref of this call nor an existing job; nothing was stored`,
    );
    this.index = index;
    this.prerequisite = prerequisite;
  }

  /** The same error for item `index` of the caller's call (the store saw another order). */
  at(index: number): UnknownPrerequisiteError {
    return new UnknownPrerequisiteError(index, this.prerequisite);
  }
}
