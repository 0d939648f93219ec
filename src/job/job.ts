/**
 * The stored shape of a job, as both stores return it.
 *
 * @module
 */
import type { AttemptRecord } from "./attempt_history.ts";
import { truncateText } from "./truncate.ts";
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
  /** The limit key it is waiting on (set aside until the limit lets it start), or null. */
  throttledBy: string | null;
  /** The latest progress it reported while running, or null. */
  progress: { percent: number; message?: string } | null;
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
  /**
   * Encoded payload. It may be a view on a buffer shared with other bytes: whoever keeps,
   * clones or transfers it copies it first (`ownBytes`).
   */
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

/** Longest error message stored with a job, in characters (8 KiB); longer ones are cut. */
export const ERROR_MESSAGE_LIMIT = 8 * 1024;
/** Longest stack trace stored with a job, in characters (16 KiB); longer ones are cut. */
export const ERROR_STACK_LIMIT = 16 * 1024;
const ERROR_NAME_LIMIT = 256;

/**
 * Serializes any thrown value into the stored error shape, cutting the message to
 * `ERROR_MESSAGE_LIMIT` and the stack to `ERROR_STACK_LIMIT` characters (a note says how much
 * was cut), so one huge error cannot bloat the store, the API answers or the logs.
 */
export function toErrorInfo(error: unknown): JobErrorInfo {
  if (error instanceof Error) {
    return {
      name: truncateText(String(error.name), ERROR_NAME_LIMIT),
      message: truncateText(String(error.message), ERROR_MESSAGE_LIMIT),
      ...(error.stack ? { stack: truncateText(error.stack, ERROR_STACK_LIMIT) } : {}),
    };
  }
  const message = typeof error === "string" ? error : safeJson(error) ?? String(error);
  return { name: "Error", message: truncateText(message, ERROR_MESSAGE_LIMIT) };
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cyclic, or a BigInt
  }
}
