/**
 * The arguments and replies of the store's verbs (see `Store` in `store.ts`): jobs to store,
 * reserve and steal requests, lease proofs and outcomes, listings, dead-letter queries,
 * retention.
 *
 * @module
 */
import type { Lane } from "../job/lanes.ts";
import type { JobRecord, Reservation } from "../job/job.ts";
import type { JobState } from "../job/states.ts";
import type { PrerequisiteFailurePolicy } from "../job/dependencies.ts";
import type { UniqueLock } from "../job/unique.ts";
import type { DuplicateJobError, UnknownPrerequisiteError } from "../job/enqueue_errors.ts";
import type { StatusCode } from "../job/status.ts";

/** A job to store, fully validated and encoded by the engine. */
export interface NewJob {
  /** Job id: a fresh ULID or the caller's id (enqueue is idempotent on it). */
  id: string;
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** Lane. */
  lane: Lane;
  /**
   * Encoded payload. It may be a view on a buffer shared with other bytes (see `ownBytes`): a
   * store copies it before keeping, cloning or transferring it.
   */
  payload: Uint8Array;
  /** Due time (epoch ms); a time not after the store's now means "run now". Wins over `delay`. */
  runAt?: number | null;
  /** Due this many ms after the store's now (default 0: run now). */
  delay?: number;
  /** Attempts allowed in all. */
  maxAttempts: number;
  /** Its own retry backoff as JSON (a per-enqueue override), or absent/null for none. */
  backoff?: string | null;
  /**
   * Ids of its prerequisites: existing jobs, or jobs of the same call that come before it. A job
   * with open prerequisites is `blocked` until they complete.
   */
  dependsOn?: readonly string[];
  /** What a failed prerequisite does to it (default `"fail"`). */
  onPrerequisiteFailure?: PrerequisiteFailurePolicy;
  /** Its unique key, scope and conflict rule. */
  unique?: UniqueLock;
  /**
   * Its limit key when its function has limits (see `configureFunction`): the function name, or
   * `name|key` when they count per key.
   */
  limitKey?: string;
}

/** Why a group of jobs was refused, nothing of it stored. */
export type EnqueueRefusal = DuplicateJobError | UnknownPrerequisiteError;

/** What became of one group of `enqueueGroups`: its jobs' outcomes, or its refusal. */
export type GroupOutcome = EnqueueOutcome[] | EnqueueRefusal;

/** The outcome of storing one job. */
export interface EnqueueOutcome {
  /**
   * The job id: the item's, or the id of the job holding its unique key (`return-existing`,
   * `replace`).
   */
  id: string;
  /** False when no job was created (the id existed, or a unique key sent it elsewhere). */
  created: boolean;
  /** The state of the job after the call. */
  state: JobState;
}

/** A request for jobs. */
export interface ReserveRequest {
  /** Worker (node) id recorded as the lease holder. */
  worker: string;
  /**
   * Identifies the call (its leases' token base): a retry of a call that may have run (its reply
   * was lost) passes the same id and gets that call's leases back instead of more. Default: new.
   */
  callId?: string;
  /** Queues to take from, in preference order (rotated by the caller for fairness). */
  queues: readonly string[];
  /** At most this many jobs. */
  count: number;
  /** Lease length (ms). */
  leaseMs: number;
  /**
   * Extra jobs to lease beyond `count`, held by the node unstarted (prefetched) until it calls
   * `start`; other nodes may `steal` them meanwhile (default 0).
   */
  prefetch?: number;
  /** Only these lanes (default: all five). */
  lanes?: readonly Lane[];
  /**
   * At most this many of the `count` started jobs may come from the normal, low and batch
   * lanes; the rest only from critical and high (default: no limit). Lets a node keep slots
   * for the upper lanes in one call. Prefetched jobs are not limited.
   */
  lowerLaneLimit?: number;
  /**
   * When the call starts fewer than `count` jobs, called (before it resolves) with what
   * `idleWait(queues, worker)` would answer right after it: a node that goes idle learns when
   * to look again without a second call. Not called otherwise, nor for a call that can lease
   * nothing (no job asked for, no queue or no lane named) or was delivered twice (the retry of
   * a call whose reply was lost). Must not throw.
   */
  onIdle?: (wait: IdleWait) => void;
  /**
   * When the call leaves the worker idle (starts fewer than `count`), lets the store lease jobs
   * enqueued after it straight to the worker, for this many ms or until the worker's next
   * reserve or a steal that takes jobs, and deliver them through the worker's `Store.handoffs`
   * feed instead of a wake-up. Only a worker reading that feed may ask; a store without
   * `handoffs` ignores it, and so does `RedisStore` for a call naming more than 8 queues.
   */
  handoffMs?: number;
}

/**
 * The jobs a store leases straight to one idle worker (see `ReserveRequest.handoffMs`), as the
 * worker's `Store.handoffs` feed delivers them.
 */
export interface HandoffFeed {
  /**
   * Ends the worker's registration, so no job is leased to it this way afterwards, and then the
   * feed, once it has delivered the jobs leased to it before.
   */
  close(): Promise<void>;
}

/** What a `HandoffFeed` calls: with each delivery's leases, and with one it could not read. */
export interface HandoffListeners {
  /** Takes the leases of one delivery, as a reserve's (a started one's attempt charged). */
  onJobs(jobs: Reservation[]): void;
  /** Takes the error of a delivery that could not be read. */
  onError(error: unknown): void;
}

/** A request to take prefetched, unstarted jobs from the busiest other node. */
export interface StealRequest {
  /** The thief: the jobs are leased to it, started. */
  worker: string;
  /**
   * Identifies the call (its leases' token base): a retry of a call that may have run (its reply
   * was lost) passes the same id and gets that call's leases back instead of more. Default: new.
   */
  callId?: string;
  /** Only jobs of these queues. */
  queues: readonly string[];
  /** At most this many jobs (and never more than half of the victim's prefetched jobs, rounded up). */
  count: number;
  /** Lease length (ms). */
  leaseMs: number;
}

/** Proof of a lease, presented by the worker holding it. */
export interface LeaseProof {
  /** Job id. */
  id: string;
  /** The lease token from `reserve`. */
  token: string;
}

/** A successful run to record. */
export interface Completion extends LeaseProof {
  /**
   * Encoded result, or null. It may be a view on a buffer shared with other bytes (see
   * `ownBytes`): a store copies it before keeping, cloning or transferring it.
   */
  result: Uint8Array | null;
}

/** A leased job handed back without spending its attempt. */
export interface Release extends LeaseProof {
  /** Run again this many ms from now; absent or 0: at once, from the front of its lane. */
  delay?: number;
  /**
   * The handler asked to slow down (`ctx.rateLimit`): pause the job's limit key (its function,
   * or its key) this many ms on every node, and hold the job first in that key's line.
   */
  throttle?: number;
}

/** A failed attempt to record. */
export interface Failure extends LeaseProof {
  /** The error as JSON text (`JobErrorInfo`). */
  error: string;
  /** Retry this many ms from now (0: at once, at the back of its lane), or null to send the job
   * to the dead-letter queue. */
  retryDelay: number | null;
}

/** Progress reported by a running job. */
export interface ProgressReport extends LeaseProof {
  /** Percent done, 0-100. */
  percent: number;
  /** A note, or absent. */
  message?: string;
}

/** A log line of a job (`ctx.log`). */
export interface JobLogLine {
  /** The job. */
  id: string;
  /** The line: JSON text of `{ at, level, message, fields? }`. */
  line: string;
}

/** Result of a transition that reports the state it left the job in. */
export interface TransitionOutcome {
  /** Status code. */
  status: StatusCode;
  /** The job's state after the call (before it, when refused); absent when not found. */
  state?: JobState;
}

/** Jobs moved by `reclaimExpired`. */
export interface ReclaimOutcome {
  /** Jobs put back into their lane. */
  requeued: string[];
  /** Jobs whose expired attempt was their last: they went to the dead-letter queue. */
  dead: string[];
}

/** What an idle node needs to know to sleep (see `Store.idleWait`). */
export interface IdleWait {
  /** Ms until a delayed job of the queues (or a limit holding parked jobs) is due; null: none. */
  dueIn: number | null;
  /** Another node holds prefetched jobs (any queue): a steal may find some. */
  stealable: boolean;
}

/** Depth of one queue: jobs per state, and per lane for each state. */
export interface QueueCounts {
  /** Queue name. */
  queue: string;
  /** Whether the queue is paused. */
  paused: boolean;
  /** Jobs per state (all lanes). */
  states: Record<JobState, number>;
  /** Jobs per lane and state. */
  lanes: Record<Lane, Record<JobState, number>>;
  /** Waiting jobs set aside until a rate or concurrency limit lets them start (all lanes). */
  throttled: number;
}

/** A filter for `listJobs`. */
export interface JobListQuery {
  /** Queue to list. */
  queue: string;
  /** State to list. */
  state: JobState;
  /** Only this lane (waiting jobs are ordered by lane, then by position). */
  lane?: Lane;
  /** At most this many jobs (default 50). */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/** One page of jobs. */
export interface JobPage {
  /** The jobs. */
  jobs: JobRecord[];
  /** Cursor of the next page, or null on the last page. */
  nextCursor: string | null;
}

/** Retention of finished jobs per queue. */
export interface RetentionConfig {
  /** Completed and cancelled jobs kept per queue (the newest); older ones are deleted. */
  keepFinished: number;
  /** Dead (dead-lettered) jobs kept per queue (the newest); older ones are deleted. */
  keepDead: number;
}

/**
 * Which dead jobs of one queue a dead-letter verb acts on. Every given criterion must hold.
 * Without `ids`, dead jobs are scanned in (finishedAt, id) order from `cursor`; a call examines
 * at most `DEAD_SCAN_BUDGET` jobs, so a page may hold fewer than `limit` jobs while more follow
 * (`nextCursor` not null).
 */
export interface DeadLetterQuery {
  /** The queue. */
  queue: string;
  /** Only these jobs (at most 1,000; `limit` and `cursor` do not apply). */
  ids?: readonly string[];
  /** Only jobs of this function. */
  name?: string;
  /** Only jobs whose last error, as `"<name>: <message>"`, contains this text (case-sensitive). */
  errorContains?: string;
  /** Only jobs dead-lettered at or after this time (epoch ms). */
  failedAfter?: number;
  /** Only jobs dead-lettered before this time (epoch ms). */
  failedBefore?: number;
  /** At most this many jobs (1 to 1,000; default 50 to list, 1,000 to requeue or purge). */
  limit?: number;
  /** Opaque cursor from a previous call with the same filter. */
  cursor?: string | null;
}

/** What a dead-letter requeue or purge did. */
export interface DeadLetterBatch {
  /** The jobs requeued or purged, in scan order. */
  ids: string[];
  /** Cursor to continue the scan, or null when it is done. */
  nextCursor: string | null;
}
