/**
 * `MemoryStore`: the whole store in one process's memory, for tests and local runs. Every verb is
 * one synchronous step, so each transition is atomic. Semantics match `RedisStore` exactly; the
 * conformance suite (`src/store/_conformance.ts`) and the differential fuzz hold both to that.
 * The verbs live by concern: `dispatch.ts` (reserve, start, steal), `outcomes.ts` (complete,
 * fail, release, extend), `recovery.ts` (expired leases, dead nodes), `enqueue.ts` (with
 * `uniqueness.ts` and `dependencies.ts`), `queue_ops.ts` (cancel, priority, listings, dead
 * letters), on the shared state and transitions of `mem_state.ts`.
 *
 * @module
 */
import type {
  HeartbeatInfo,
  LeaderInfo,
  LeaderLease,
  NodeInfo,
  NodeRecord,
  ReapOutcome,
} from "../cluster.ts";
import type { JobRecord, Reservation } from "../../job/job.ts";
import type { Lane } from "../../job/lanes.ts";
import type { FunctionLimits } from "../../job/limits.ts";
import { Status, type StatusCode } from "../../job/status.ts";
import { type Clock, systemClock } from "../../job/clock.ts";
import {
  defaultLaneConfig,
  type LaneConfig,
  type LaneConfigInput,
  mergeLaneConfig,
} from "../../schedule/lane_config.ts";
import type {
  Completion,
  DeadLetterBatch,
  DeadLetterQuery,
  EnqueueOutcome,
  Failure,
  GroupOutcome,
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
  RetentionConfig,
  StealRequest,
  Store,
  TransitionOutcome,
} from "../store.ts";
import { Waiters } from "../_waiters.ts";
import { LeaderSeat, NodeTable } from "./cluster_records.ts";
import {
  checkIds,
  DEFAULT_EVENTS,
  DEFAULT_RETENTION,
  PROMOTE_BATCH,
  RECLAIM_BATCH,
} from "../_shared.ts";
import { MemState } from "./mem_state.ts";
import * as dispatch from "./dispatch.ts";
import * as outcomes from "./outcomes.ts";
import * as ops from "./queue_ops.ts";
import { reapHoldings, reclaimExpired } from "./recovery.ts";
import { enqueue, enqueueGroup } from "./enqueue.ts";
import * as reports from "./job_reports.ts";
import type { EventBatch, EventQuery, MetricsSnapshot } from "../observations.ts";
import { reschedule } from "./reschedule.ts";
import { MemorySchedules } from "./schedules.ts";
import type { ScheduleStore } from "../schedule_store.ts";

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /** The clock for due times, leases and aging (default: the system clock). */
  clock?: Clock;
  /** Retention of finished jobs. */
  retention?: Partial<RetentionConfig>;
  /** Job events kept in the stream, about (default 10,000; 0: no events); calls go whole. */
  events?: number;
  /** Aggregate metrics per queue, lane and function (default true). */
  metrics?: boolean;
}

/** The in-memory `Store`. */
export class MemoryStore implements Store {
  #clock: Clock;
  #waiters = new Waiters();
  #state: MemState;
  #nodes = new NodeTable();
  #leader = new LeaderSeat();
  #closed = false;
  readonly schedules: ScheduleStore;

  /** Creates an empty store. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#state = new MemState({ ...DEFAULT_RETENTION, ...options.retention }, this.#waiters, {
      events: options.events ?? DEFAULT_EVENTS,
      metrics: options.metrics ?? true,
    });
    this.schedules = new MemorySchedules({
      run: (fn) => this.#run(fn),
      leads: (lease, now) => this.#leader.holds(lease, now),
      waiters: this.#waiters,
    });
  }

  /** Runs verb `fn` on the state at the clock's now; a throw becomes a rejection. */
  #run<T>(fn: (state: MemState, now: number) => T): Promise<T> {
    try {
      const state = this.#state;
      const now = this.#clock.now();
      return Promise.resolve(state.run(now, () => fn(state, now)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  enqueue(jobs: readonly NewJob[]): Promise<EnqueueOutcome[]> {
    return this.#run((state, now) => enqueue(state, jobs, now));
  }

  enqueueGroups(groups: readonly (readonly NewJob[])[]): Promise<GroupOutcome[]> {
    return this.#run((state, now) => groups.map((group) => enqueueGroup(state, group, now)));
  }

  async reserve(request: ReserveRequest): Promise<Reservation[]> {
    let idle: IdleWait | null = null;
    const jobs = await this.#run((state, now) => {
      const replayed = dispatch.replayed(state, request);
      if (replayed) return replayed;
      const leased = dispatch.reserve(state, request, now);
      if (dispatch.answersIdle(request, leased)) {
        idle = dispatch.idleWaitOf(state, request.queues, request.worker, now);
      }
      return leased;
    });
    if (idle) request.onIdle!(idle);
    return jobs;
  }

  complete(items: readonly Completion[]): Promise<StatusCode[]> {
    return this.#run((state, now) => outcomes.complete(state, items, now));
  }

  fail(items: readonly Failure[]): Promise<TransitionOutcome[]> {
    return this.#run((state, now) => outcomes.fail(state, items, now));
  }

  release(items: readonly Release[]): Promise<StatusCode[]> {
    return this.#run((state, now) => outcomes.release(state, items, now));
  }

  extendLeases(items: readonly LeaseProof[], leaseMs: number): Promise<StatusCode[]> {
    return this.#run((state, now) => outcomes.extendLeases(state, items, leaseMs, now));
  }

  reclaimExpired(limit = RECLAIM_BATCH): Promise<ReclaimOutcome> {
    return this.#run((state, now) => reclaimExpired(state, now, limit));
  }

  promoteDue(queues: readonly string[], limit = PROMOTE_BATCH): Promise<number> {
    return this.#run((state, now) => {
      let moved = 0;
      for (const name of queues) moved += state.promote(name, now, limit - moved);
      return moved;
    });
  }

  changePriority(id: string, lane: Lane): Promise<TransitionOutcome> {
    return this.#run((state) => ops.changePriority(state, id, lane));
  }

  reschedule(id: string, due: { runAt: number } | { delay: number }): Promise<TransitionOutcome> {
    return this.#run((state, now) => reschedule(state, id, due, now));
  }

  cancel(id: string): Promise<TransitionOutcome> {
    return this.#run((state, now) => ops.cancel(state, id, now));
  }

  getJob(id: string): Promise<JobRecord | null> {
    return this.#run((state) => ops.getJob(state, id));
  }

  getJobs(ids: readonly string[]): Promise<(JobRecord | null)[]> {
    return this.#run((state) => {
      checkIds(ids);
      return ids.map((id) => ops.getJob(state, id));
    });
  }

  dependents(id: string, page: { offset?: number; limit?: number } = {}): Promise<string[]> {
    return this.#run((state) => ops.dependents(state, id, page));
  }

  listJobs(query: JobListQuery): Promise<JobPage> {
    return this.#run((state) => ops.listJobs(state, query));
  }

  listDead(query: DeadLetterQuery): Promise<JobPage> {
    return this.#run((state) => ops.listDead(state, query));
  }

  requeueDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    return this.#run((state, now) => ops.requeueDead(state, query, now));
  }

  purgeDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    return this.#run((state) => ops.purgeDead(state, query));
  }

  counts(queue: string): Promise<QueueCounts> {
    return this.#run((state) => ops.counts(state, queue));
  }

  queues(): Promise<string[]> {
    return Promise.resolve([...this.#state.queues.keys()].sort());
  }

  pause(queue: string): Promise<void> {
    this.#state.queue(queue).paused = true;
    return Promise.resolve();
  }

  resume(queue: string): Promise<void> {
    return this.#run((state) => {
      state.queue(queue).paused = false;
      state.wake(queue);
    });
  }

  configureFunctions(limits: Record<string, FunctionLimits | null>): Promise<void> {
    return this.#run((state, now) => {
      if (!state.limits.configure(limits, now)) return;
      for (const queue of state.queues.keys()) state.wake(queue);
    });
  }

  functionLimits(): Promise<Record<string, FunctionLimits>> {
    return Promise.resolve(structuredClone(Object.fromEntries(this.#state.limits.functions)));
  }

  getLaneConfig(queue: string): Promise<LaneConfig> {
    const config = this.#state.queues.get(queue)?.config ?? defaultLaneConfig();
    return Promise.resolve(structuredClone(config));
  }

  configureLanes(queue: string, input: LaneConfigInput): Promise<LaneConfig> {
    return this.#run((state) => {
      const config = mergeLaneConfig(state.queues.get(queue)?.config ?? defaultLaneConfig(), input);
      state.queue(queue).config = config;
      state.wake(queue);
      return structuredClone(config);
    });
  }

  idleWait(queues: readonly string[], worker: string): Promise<IdleWait> {
    return this.#run((state, now) => dispatch.idleWaitOf(state, queues, worker, now));
  }

  waitForWork(queues: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#waiters.wait(queues, timeoutMs, signal);
  }

  start(items: readonly LeaseProof[]): Promise<StatusCode[]> {
    return this.#run((state, now) => dispatch.start(state, items, now));
  }

  steal(request: StealRequest): Promise<Reservation[]> {
    return this.#run((state, now) =>
      dispatch.replayed(state, request) ?? dispatch.steal(state, request, now)
    );
  }

  registerNode(node: NodeInfo, ttlMs: number): Promise<void> {
    this.#nodes.register(node, this.#clock.now(), ttlMs);
    return Promise.resolve();
  }

  heartbeat(nodeId: string, info: HeartbeatInfo, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.#nodes.heartbeat(nodeId, info, this.#clock.now(), ttlMs));
  }

  deregisterNode(nodeId: string): Promise<void> {
    this.#nodes.delete(nodeId);
    return Promise.resolve();
  }

  listNodes(): Promise<NodeRecord[]> {
    const prefetched = this.#state.prefetched;
    return Promise.resolve(
      this.#nodes.list().map((node) => ({ ...node, prefetched: prefetched.total(node.id) })),
    );
  }

  acquireLeadership(nodeId: string, ttlMs: number): Promise<LeaderLease | null> {
    return Promise.resolve(this.#leader.acquire(nodeId, this.#clock.now(), ttlMs));
  }

  renewLeadership(lease: LeaderLease, ttlMs: number): Promise<LeaderLease | null> {
    return Promise.resolve(this.#leader.renew(lease, this.#clock.now(), ttlMs));
  }

  resignLeadership(lease: LeaderLease): Promise<void> {
    this.#leader.resign(lease);
    return Promise.resolve();
  }

  getLeader(): Promise<LeaderInfo | null> {
    return Promise.resolve(this.#leader.current(this.#clock.now()));
  }

  reapDeadNodes(lease: LeaderLease): Promise<{ status: StatusCode; outcome: ReapOutcome }> {
    return this.#run((state, now) => {
      if (!this.#leader.holds(lease, now)) {
        return { status: Status.NOT_LEADER, outcome: { nodes: [], requeued: [], dead: [] } };
      }
      const outcome = reapHoldings(state, this.#nodes.expired(now), now);
      for (const node of outcome.nodes) this.#nodes.delete(node);
      return { status: Status.OK, outcome };
    });
  }

  readEvents(query: EventQuery = {}): Promise<EventBatch> {
    return this.#state.observe.read(query);
  }

  metrics(query: { minutes?: number } = {}): Promise<MetricsSnapshot> {
    return this.#run((state, now) => state.observe.snapshot(query.minutes ?? 60, now));
  }

  progress(items: readonly ProgressReport[]): Promise<StatusCode[]> {
    return this.#run((state, now) => reports.progress(state, items, now));
  }

  appendLogs(items: readonly JobLogLine[]): Promise<number> {
    return this.#run((state) => reports.appendLogs(state, items));
  }

  jobLogs(id: string): Promise<string[]> {
    return Promise.resolve([...this.#state.logs.get(id) ?? []]);
  }

  onCancelRequested(worker: string, listener: (id: string) => void): () => void {
    const listeners = this.#state.cancelListeners;
    let set = listeners.get(worker);
    if (!set) listeners.set(worker, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(worker);
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#waiters.wakeAll();
    return Promise.resolve();
  }
}
