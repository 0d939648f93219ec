/**
 * The store seam: one interface in queue semantics, implemented by `MemoryStore` and
 * `RedisStore`. Every verb is one atomic step per job (one Lua script call in Redis, one
 * synchronous function in memory); batch verbs take many jobs per call. Both stores return the
 * same `Status` codes, which the engine maps to errors in one place (`errorForStatus`).
 *
 * Time: every decision about time is taken by the store on one clock: an injected `Clock` in
 * tests (the Redis store passes its `now` into its scripts), and in production the server's own
 * clock (Redis `TIME`), so nodes whose clocks drift can neither fire jobs early nor reclaim live
 * leases. Callers therefore give delays relative to the store's now (`delay`, `retryDelay`),
 * and the store answers waits the same way (`idleWait`).
 *
 * Lanes are FIFO lists: a new or retried job joins the back of its lane; a job handed back or
 * whose lease expired goes to the front (it was taken from there).
 *
 * @module
 */
import type { JobRecord, Reservation } from "../job/job.ts";
import type { Lane } from "../job/lanes.ts";
import type { FunctionLimits } from "../job/limits.ts";
import type { EventBatch, EventQuery, MetricsSnapshot } from "./observations.ts";
import type { StatusCode } from "../job/status.ts";
import type { LaneConfig, LaneConfigInput } from "../schedule/lane_config.ts";
import type { ScheduleStore } from "./schedule_store.ts";
import type {
  HeartbeatInfo,
  LeaderInfo,
  LeaderLease,
  NodeInfo,
  NodeRecord,
  ReapOutcome,
} from "./cluster.ts";

import type {
  Completion,
  DeadLetterBatch,
  DeadLetterQuery,
  EnqueueOutcome,
  Failure,
  GroupOutcome,
  HandoffFeed,
  HandoffListeners,
  IdleWait,
  JobListQuery,
  JobLogLine,
  JobPage,
  LeaseProof,
  NewJob,
  ProgressReport,
  QueueCounts,
  ReclaimOutcome,
  Release,
  ReserveRequest,
  StealRequest,
  TransitionOutcome,
} from "./verbs.ts";
export type * from "./verbs.ts";

/** Where jobs live. Implemented by `MemoryStore` and `RedisStore`; see the module doc. */
export interface Store {
  /**
   * Stores new jobs atomically: all or none. Idempotent on job ids. Rejects with a
   * `DuplicateJobError` (a unique key held, `reject`) or an `UnknownPrerequisiteError`, and
   * then stores nothing.
   */
  enqueue(jobs: readonly NewJob[]): Promise<EnqueueOutcome[]>;
  /**
   * Stores groups of new jobs in one call, in order, each all or none as if each were an
   * `enqueue` of its own (a later group sees what an earlier one stored): one outcome per group,
   * a refused group's error instead of rejecting. Lets concurrent enqueues share a round trip.
   */
  enqueueGroups(groups: readonly (readonly NewJob[])[]): Promise<GroupOutcome[]>;
  /**
   * Leases up to `count` due jobs started, then up to `prefetch` more prefetched, from the given
   * queues (not paused ones), choosing lanes by each queue's lane picker. Due delayed jobs of
   * these queues are promoted first. A started job's attempt is charged now, a prefetched one's
   * at `start`. Safe to deliver twice: the same call (same worker, same token base) returns the
   * leases it made rather than leasing more.
   */
  reserve(request: ReserveRequest): Promise<Reservation[]>;
  /** Marks leased jobs completed. Per item: OK, NOT_FOUND or LEASE_LOST (item unchanged). */
  complete(items: readonly Completion[]): Promise<StatusCode[]>;
  /**
   * Records failed attempts: retry after `retryDelay` or dead-letter; a job whose cancellation
   * was requested becomes cancelled instead. Per item outcome with the resulting state.
   */
  fail(items: readonly Failure[]): Promise<TransitionOutcome[]>;
  /**
   * Hands leased jobs back without spending their attempt (graceful shutdown, a payload version
   * this node does not know): at the front of their lane, or delayed by `delay`; a started job's
   * `releases` counts up; a job whose cancellation was requested becomes cancelled instead. Per
   * item: OK (also for the same call delivered twice), NOT_FOUND or LEASE_LOST.
   */
  release(items: readonly Release[]): Promise<StatusCode[]>;
  /** Renews leases by `leaseMs` from now. Per item: OK, CANCEL_REQUESTED (renewed) or LEASE_LOST. */
  extendLeases(items: readonly LeaseProof[], leaseMs: number): Promise<StatusCode[]>;
  /**
   * Handles jobs whose lease deadline passed: a started one back at the front of its lane (stall
   * counted) or dead-lettered when that was its last attempt; a prefetched one back at the front
   * with nothing spent.
   */
  reclaimExpired(limit?: number): Promise<ReclaimOutcome>;
  /** Moves due delayed jobs into their lanes; returns how many moved. */
  promoteDue(queues: readonly string[], limit?: number): Promise<number>;
  /** Moves a waiting, delayed or blocked job to another lane (a waiting one to its back). */
  changePriority(id: string, lane: Lane): Promise<TransitionOutcome>;
  /**
   * Moves the due time of a job to `runAt`, or to `delay` ms from now: a waiting or delayed job
   * due later becomes delayed; a delayed one due now joins the back of its lane (a waiting one
   * stays in place); a blocked one runs no earlier than it once unblocked. Active and finished
   * jobs are refused (WRONG_STATE).
   */
  reschedule(id: string, due: { runAt: number } | { delay: number }): Promise<TransitionOutcome>;
  /**
   * Cancels a job: waiting, delayed or blocked ones at once (OK); active ones are flagged
   * (CANCEL_REQUESTED); cancelled ones stay so (OK); completed and dead ones are refused
   * (WRONG_STATE).
   */
  cancel(id: string): Promise<TransitionOutcome>;
  /** Reads one job, or null. */
  getJob(id: string): Promise<JobRecord | null>;
  /** Reads many jobs (at most 1,000), in order; null where there is none. */
  getJobs(ids: readonly string[]): Promise<(JobRecord | null)[]>;
  /** A page of the dependents of job `id`, in the order they were enqueued. */
  dependents(id: string, page?: { offset?: number; limit?: number }): Promise<string[]>;
  /** Lists jobs of one queue and state, oldest first, page by page. */
  listJobs(query: JobListQuery): Promise<JobPage>;

  // --- dead-letter queue ----------------------------------------------------------------------

  /** Lists the dead jobs of a queue matching `query`, oldest first, page by page. */
  listDead(query: DeadLetterQuery): Promise<JobPage>;
  /**
   * Requeues the dead jobs matching `query`: attempts, stalls and releases reset to 0, at the
   * back of their lane (`runAt` now), history and last error kept.
   */
  requeueDead(query: DeadLetterQuery): Promise<DeadLetterBatch>;
  /** Deletes the dead jobs matching `query` (with `{ queue }` alone: every one, batch by batch). */
  purgeDead(query: DeadLetterQuery): Promise<DeadLetterBatch>;
  /** Depth of a queue per lane and state. */
  counts(queue: string): Promise<QueueCounts>;
  /** Every queue that ever held a job or configuration. */
  queues(): Promise<string[]>;
  /** Stops dispatch from a queue (jobs still enqueue). */
  pause(queue: string): Promise<void>;
  /** Resumes dispatch from a queue. */
  resume(queue: string): Promise<void>;
  /**
   * Sets the limits of functions by name (null: the function has none), for every node. Jobs
   * parked on a function whose limits changed are looked at again at once.
   */
  configureFunctions(limits: Record<string, FunctionLimits | null>): Promise<void>;
  /** The limits of every function that has some, by name. */
  functionLimits(): Promise<Record<string, FunctionLimits>>;
  /** Reads a queue's lane configuration (defaults when never configured). */
  getLaneConfig(queue: string): Promise<LaneConfig>;
  /** Changes a queue's lane configuration; returns the configuration now in force. */
  configureLanes(queue: string, input: LaneConfigInput): Promise<LaneConfig>;
  /**
   * What idle node `worker` needs to know to sleep, in one call: how long until a delayed job of
   * `queues` or a limit holding parked jobs falls due (`dueIn`), and whether another node holds
   * prefetched jobs it might steal (`stealable`, a hint `steal` confirms).
   */
  idleWait(queues: readonly string[], worker: string): Promise<IdleWait>;
  /**
   * Resolves when new work may be available in one of `queues` (an enqueue, a retry, a lease
   * reclaimed, a resume) or after `timeoutMs`, whichever comes first, or when `signal` aborts.
   */
  waitForWork(queues: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /**
   * Optional (a store whose enqueues can reach an idle worker faster than a wake-up and a
   * reserve: `RedisStore` on one server): starts the feed of jobs leased straight to `worker`,
   * which serves `queues` (see `ReserveRequest.handoffMs`), calling `listeners.onJobs` with each
   * delivery and `listeners.onError` with a delivery it could not read (its jobs are lost to this
   * node: their leases expire and they are reclaimed, a started one as a stalled attempt). Null
   * where the store cannot hand off: a Redis Cluster, a node serving more than 8 queues.
   */
  handoffs?(
    worker: string,
    queues: readonly string[],
    listeners: HandoffListeners,
  ): HandoffFeed | null;

  // --- prefetch and work stealing -----------------------------------------------------------

  /**
   * Marks prefetched jobs started, charging their attempt: from now on they are never stolen.
   * Per item: OK (also when already started by this lease), NOT_FOUND, or LEASE_LOST (stolen or
   * reclaimed: do not run it).
   */
  start(items: readonly LeaseProof[]): Promise<StatusCode[]>;
  /**
   * Atomically takes up to `count` prefetched, unstarted jobs of `queues` from the node holding
   * the most of them (never from the thief itself), and leases them to the thief as started,
   * with new tokens and their attempt charged. Returns them (empty when nobody has any). Safe to
   * deliver twice, like `reserve`.
   */
  steal(request: StealRequest): Promise<Reservation[]>;

  // --- worker nodes ---------------------------------------------------------------------------

  /** Records a node (or refreshes its record) alive for `ttlMs`. */
  registerNode(node: NodeInfo, ttlMs: number): Promise<void>;
  /** Extends a node's life by `ttlMs`; false when its record is gone (it was reaped). */
  heartbeat(nodeId: string, info: HeartbeatInfo, ttlMs: number): Promise<boolean>;
  /** Removes a node's record (graceful shutdown). Its jobs are untouched. */
  deregisterNode(nodeId: string): Promise<void>;
  /** Every recorded node, dead ones not yet reaped included (`expiresAt` tells). */
  listNodes(): Promise<NodeRecord[]>;

  // --- leadership (lease + fencing epoch) ----------------------------------------------------

  /**
   * Takes the leader lease for `ttlMs` when nobody holds it or it lapsed: a new random token and
   * the next epoch. Null when another node holds a live lease. A node that holds it already gets
   * null too: it must `renewLeadership` (only the same call delivered twice gets its lease again).
   */
  acquireLeadership(nodeId: string, ttlMs: number): Promise<LeaderLease | null>;
  /**
   * Renews the lease for `ttlMs` from now if it is still exactly this one (token and epoch) and
   * has not lapsed; null otherwise (the caller must stop all leader work at once).
   */
  renewLeadership(lease: LeaderLease, ttlMs: number): Promise<LeaderLease | null>;
  /** Gives the lease up if it is still this one. */
  resignLeadership(lease: LeaderLease): Promise<void>;
  /** The current live leader, or null. */
  getLeader(): Promise<LeaderInfo | null>;
  /**
   * Leader-only: removes nodes whose record expired and reclaims all their active jobs at once,
   * as `reclaimExpired` does for expired leases. Status NOT_LEADER (nothing changed) unless
   * `lease` is the current, unlapsed lease (token and epoch).
   */
  reapDeadNodes(lease: LeaderLease): Promise<{ status: StatusCode; outcome: ReapOutcome }>;

  // --- observation (events, metrics, progress, logs) -----------------------------------------

  /**
   * Reads the job events every store call recorded, after `query.after` (default: from now on),
   * waiting up to `query.waitMs` for one. Events of one call share its entry in the stream.
   */
  readEvents(query?: EventQuery): Promise<EventBatch>;
  /** Metrics per (queue, lane, function): in total, and for the newest `minutes` minutes. */
  metrics(query?: { minutes?: number }): Promise<MetricsSnapshot>;
  /** Records progress of running jobs (a `progress` event each). Per item: OK, NOT_FOUND, LEASE_LOST. */
  progress(items: readonly ProgressReport[]): Promise<StatusCode[]>;
  /** Stores job log lines, keeping each job's newest `JOB_LOG_LIMIT`; returns how many stored. */
  appendLogs(items: readonly JobLogLine[]): Promise<number>;
  /** The stored log lines of a job (JSON text), oldest first. */
  jobLogs(id: string): Promise<string[]>;
  /**
   * Calls `listener` with the id of every job leased to `worker` whose cancellation is requested
   * from now on (at once, across processes); returns the function that stops it.
   */
  onCancelRequested(worker: string, listener: (id: string) => void): () => void;
  /** Cron schedules, and the leader-only verb that fires their ticks. */
  readonly schedules: ScheduleStore;

  /** Releases connections and timers. */
  close(): Promise<void>;
}
