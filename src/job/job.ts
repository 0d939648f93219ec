/**
 * The stored shape of a job, as both stores return it.
 *
 * @module
 */
import type { AttemptRecord } from "./attempt_history.ts";
import type { Lane } from "./lanes.ts";
import type { JobState } from "./states.ts";
import type { PrerequisiteFailurePolicy } from "./dependencies.ts";

/** Everything a store keeps about one job. Payload and result are opaque encoded bytes. */
export interface JobRecord {
  /** Job id (ULID, or the caller's id). */
  id: string;
  /** Function name. */
  name: string;
  /** Queue the job belongs to. */
  queue: string;
  /** Priority lane. */
  lane: Lane;
  /** Current state. */
  state: JobState;
  /** Encoded payload. */
  payload: Uint8Array;
  /** Attempts started so far (a reserve starts one). */
  attempts: number;
  /** Attempts allowed in all, the first included. */
  maxAttempts: number;
  /** Times a lease expired while the job was active. */
  stalls: number;
  /** Times a worker handed the job back unstarted or unfinished, without spending an attempt. */
  releases: number;
  /** When the job was enqueued (epoch ms). */
  enqueuedAt: number;
  /** When the job is (or was) due to run (epoch ms). */
  runAt: number;
  /** When the latest attempt started, or null. */
  startedAt: number | null;
  /** When the job reached a final state, or null. */
  finishedAt: number | null;
  /** Encoded result of a completed job, or null. */
  result: Uint8Array | null;
  /** The latest error as JSON text (`{ name, message, stack? }`), or null. */
  error: string | null;
  /** Worker holding the lease while active, or null. */
  worker: string | null;
  /** Lease deadline while active (epoch ms), or null. */
  leaseDeadline: number | null;
  /** True when cancellation was requested while the job was active. */
  cancelRequested: boolean;
  /** Its newest attempts, oldest first (see `ATTEMPT_HISTORY_LIMIT`). */
  history: AttemptRecord[];
  /** Its own retry backoff (JSON, given at enqueue), or null for its function's. */
  backoff: string | null;
  /** Its prerequisites (job ids, in the order given). */
  prerequisites: string[];
  /** Prerequisites it still waits on (while blocked). */
  openPrerequisites: number;
  /** How many jobs depend on it. */
  dependents: number;
  /** What a failed prerequisite does to it. */
  onPrerequisiteFailure: PrerequisiteFailurePolicy;
  /** The lane it was enqueued in, when a dependent raised it to `lane` (priority inheritance). */
  requestedLane: Lane | null;
  /** Its unique key, or null. */
  uniqueKey: string | null;
}

/** A job handed to a worker by `reserve`, with its lease. */
export interface Reservation {
  /** Job id. */
  id: string;
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** Lane it was dispatched from. */
  lane: Lane;
  /** Encoded payload. */
  payload: Uint8Array;
  /** Which attempt this is (1 for the first run). */
  attempt: number;
  /** Attempts allowed in all. */
  maxAttempts: number;
  /** Lease expiries so far. */
  stalls: number;
  /** Hand-backs so far (see `Store.release`). */
  releases: number;
  /** Enqueue time (epoch ms). */
  enqueuedAt: number;
  /** Due time (epoch ms). */
  runAt: number;
  /** When this attempt started (epoch ms). */
  startedAt: number;
  /** The lease token to present to `complete`, `fail` and `extendLeases`. */
  token: string;
  /** When the lease expires unless renewed (epoch ms). */
  leaseDeadline: number;
  /** False for a prefetched job: call `Store.start` before running it (it may be stolen). */
  started: boolean;
  /** Its own retry backoff (JSON, given at enqueue), or null for its function's. */
  backoff: string | null;
  /** Its prerequisites (job ids, in the order given); empty for most jobs. */
  prerequisites: string[];
}

/** The error of a failed attempt, as stored. */
export interface JobErrorInfo {
  /** Error class name. */
  name: string;
  /** Error message. */
  message: string;
  /** Stack trace, when there was one. */
  stack?: string;
}

/** Serializes any thrown value into the stored error shape. */
export function toErrorInfo(error: unknown): JobErrorInfo {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return {
    name: "Error",
    message: typeof error === "string" ? error : JSON.stringify(error) ?? String(error),
  };
}
