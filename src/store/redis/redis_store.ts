/**
 * `RedisStore`: the `Store` on Redis. Every verb is one Lua script call (`lua/*.lua`), batched
 * over all the jobs of the call; semantics match `MemoryStore` verb by verb (the conformance
 * suite holds both to that). On the system clock the scripts read Redis `TIME`, so every node
 * agrees on one clock; with an injected clock (tests) they receive its `now`. Key layout: see
 * `keys.ts`; job fields: see `job_fields.ts`. The verbs live by family, as in the memory
 * store: `dispatch.ts` (reserve, start, steal), `outcomes.ts` (complete, fail, release, extend),
 * `recovery.ts` (expired leases, dead nodes, due jobs), `queue_ops.ts` (cancel, priority,
 * listings, dead letters), `cluster_verbs.ts` (nodes, leader), `observations.ts`,
 * `redis_schedules.ts`; this class wires them to one connection and its scripts.
 *
 * @example
 * ```ts ignore
 * import { RedisStore } from "./redis_store.ts";
 * const store = await RedisStore.connect({ url: "redis://127.0.0.1:6379", namespace: "app" });
 * console.log(await store.queues());
 * await store.close();
 * ```
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
import type { Cluster, Redis } from "ioredis";
import type { JobRecord, Reservation } from "../../job/job.ts";
import type { Lane } from "../../job/lanes.ts";
import type { StatusCode } from "../../job/status.ts";
import { type Clock, systemClock } from "../../job/clock.ts";
import { enqueueGroups } from "./enqueue_args.ts";
import type { LaneConfig, LaneConfigInput } from "../../schedule/lane_config.ts";
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
  RetentionConfig,
  StealRequest,
  Store,
  TransitionOutcome,
} from "../store.ts";
import { DEFAULT_EVENTS, DEFAULT_RETENTION } from "../_shared.ts";
import { DEFAULT_NAMESPACE, Keys } from "./keys.ts";
import { type ScriptArg, Scripts } from "./scripts.ts";
import {
  CONFIG_FIELDS,
  configureArgs,
  decodeFunctionLimits,
  decodeLaneConfig,
  encodeFunctionLimits,
} from "./config.ts";
import type { FunctionLimits } from "../../job/limits.ts";
import {
  closeConnection,
  duplicateConnection,
  openConnection,
  warnUnlessNoEviction,
} from "./connection.ts";
import { WakeHub } from "./wake.ts";
import { openHandoffFeed } from "./handoff_feed.ts";
import type { RedisStoreOptions } from "./store_options.ts";
import { checkStore } from "./access.ts";
import { RedisObservations } from "./observations.ts";
import type { EventBatch, EventQuery, MetricsSnapshot } from "../observations.ts";
import { RedisSchedules } from "./redis_schedules.ts";
import type { ScheduleStore } from "../schedule_store.ts";
import type { ScriptHost } from "./script_host.ts";
import * as dispatch from "./dispatch.ts";
import * as outcomes from "./outcomes.ts";
import * as recovery from "./recovery.ts";
import * as ops from "./queue_ops.ts";
import * as cluster from "./cluster_verbs.ts";

export { dropNamespace } from "./connection.ts";
export type { RedisStoreOptions } from "./store_options.ts";

/** The Redis `Store`. */
export class RedisStore implements Store {
  #redis: Redis | Cluster;
  #owned: boolean;
  #keys: Keys;
  #scripts: Scripts;
  /** The injected clock, or null to use Redis `TIME`. */
  #clock: Clock | null;
  /** The store options as scripts take them: "keepFinished,keepDead,events,metrics". */
  #opts: string;
  /** What the verbs share: the scripts, `now` and the options. */
  #host: ScriptHost;
  #observations: RedisObservations;
  #wake: WakeHub;
  #policyCheck: Promise<void>;
  #closed = false;
  readonly schedules: ScheduleStore;

  /** Creates a store; connects in the background (see `RedisStore.connect` to wait for it). */
  constructor(options: RedisStoreOptions = {}) {
    this.#keys = new Keys(options.namespace ?? DEFAULT_NAMESPACE);
    this.#owned = options.redis === undefined;
    this.#redis = options.redis ?? openConnection(options.url);
    this.#scripts = new Scripts(this.#redis, this.#keys.prefix);
    this.#clock = options.clock && options.clock !== systemClock ? options.clock : null;
    const retention: RetentionConfig = { ...DEFAULT_RETENTION, ...options.retention };
    const events = options.events ?? DEFAULT_EVENTS;
    const metrics = options.metrics ?? true ? 1 : 0;
    this.#opts = `${retention.keepFinished},${retention.keepDead},${events},${metrics}`;
    this.#host = {
      run: (name, args) => this.#scripts.run(name, args),
      now: () => this.#now(),
      opts: this.#opts,
    };
    const redis = this.#redis;
    this.#wake = new WakeHub(() => duplicateConnection(redis));
    this.#observations = new RedisObservations({
      redis,
      keys: this.#keys,
      scripts: this.#scripts,
      wake: this.#wake,
      now: () => this.#now(),
      opts: this.#opts,
    });
    this.#policyCheck = warnUnlessNoEviction(redis);
    this.schedules = new RedisSchedules({
      ...this.#host,
      wake: this.#wake,
      channel: this.#keys.cronWake(),
    });
  }

  /**
   * Creates a store and checks that Redis answers and lets its user do what the store needs;
   * rejects (and closes) when it does not (`StoreAccessError` naming a missing permission).
   */
  static async connect(options: RedisStoreOptions = {}): Promise<RedisStore> {
    const store = new RedisStore(options);
    try {
      await checkStore(store.#redis, store.#keys.prefix);
      await store.#policyCheck;
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** The `now` argument of a script: the injected clock's time, or "" for Redis `TIME`. */
  #now(): number | string {
    return this.#clock ? this.#clock.now() : "";
  }

  async enqueue(jobs: readonly NewJob[]): Promise<EnqueueOutcome[]> {
    if (jobs.length === 0) return [];
    const [outcome] = await this.enqueueGroups([jobs]);
    if (outcome instanceof Error) throw outcome;
    return outcome!;
  }

  enqueueGroups(groups: readonly (readonly NewJob[])[]): Promise<GroupOutcome[]> {
    return enqueueGroups(this.#host, groups);
  }

  reserve(request: ReserveRequest): Promise<Reservation[]> {
    return dispatch.reserve(this.#host, request);
  }

  complete(items: readonly Completion[]): Promise<StatusCode[]> {
    return outcomes.complete(this.#host, items);
  }

  fail(items: readonly Failure[]): Promise<TransitionOutcome[]> {
    return outcomes.fail(this.#host, items);
  }

  release(items: readonly Release[]): Promise<StatusCode[]> {
    return outcomes.release(this.#host, items);
  }

  extendLeases(items: readonly LeaseProof[], leaseMs: number): Promise<StatusCode[]> {
    return outcomes.extendLeases(this.#host, items, leaseMs);
  }

  reclaimExpired(limit?: number): Promise<ReclaimOutcome> {
    return recovery.reclaimExpired(this.#host, limit);
  }

  promoteDue(queues: readonly string[], limit?: number): Promise<number> {
    return recovery.promoteDue(this.#host, queues, limit);
  }

  changePriority(id: string, lane: Lane): Promise<TransitionOutcome> {
    return ops.changePriority(this.#host, id, lane);
  }

  reschedule(id: string, due: { runAt: number } | { delay: number }): Promise<TransitionOutcome> {
    return ops.reschedule(this.#host, id, due);
  }

  cancel(id: string): Promise<TransitionOutcome> {
    return ops.cancel(this.#host, id);
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return (await this.getJobs([id]))[0]!;
  }

  getJobs(ids: readonly string[]): Promise<(JobRecord | null)[]> {
    return ops.getJobs(this.#host, ids);
  }

  dependents(id: string, page: { offset?: number; limit?: number } = {}): Promise<string[]> {
    return ops.dependents(this.#host, id, page);
  }

  listJobs(query: JobListQuery): Promise<JobPage> {
    return ops.listJobs(this.#host, query);
  }

  listDead(query: DeadLetterQuery): Promise<JobPage> {
    return ops.listDead(this.#host, query);
  }

  requeueDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    return ops.batchDead(this.#host, "requeueDead", query);
  }

  purgeDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    return ops.batchDead(this.#host, "purgeDead", query);
  }

  counts(queue: string): Promise<QueueCounts> {
    return ops.counts(this.#host, queue);
  }

  async queues(): Promise<string[]> {
    return (await this.#redis.zrange(this.#keys.queues(), "0", "-1")).sort();
  }

  pause(queue: string): Promise<void> {
    return ops.setPaused(this.#host, queue, true);
  }

  resume(queue: string): Promise<void> {
    return ops.setPaused(this.#host, queue, false);
  }

  async configureFunctions(limits: Record<string, FunctionLimits | null>): Promise<void> {
    const args: ScriptArg[] = [this.#now()];
    for (const [name, l] of Object.entries(limits)) args.push(name, encodeFunctionLimits(l));
    if (args.length > 1) await this.#scripts.run("configureLimits", args);
  }

  async functionLimits(): Promise<Record<string, FunctionLimits>> {
    const stored = await this.#redis.hgetall(this.#keys.limits());
    return Object.fromEntries(
      Object.entries(stored).map(([name, v]) => [name, decodeFunctionLimits(v)]),
    );
  }

  async getLaneConfig(queue: string): Promise<LaneConfig> {
    return decodeLaneConfig(await this.#redis.hmget(this.#keys.meta(queue), ...CONFIG_FIELDS));
  }

  async configureLanes(queue: string, input: LaneConfigInput): Promise<LaneConfig> {
    const args = [queue, ...configureArgs(input)];
    return decodeLaneConfig(await this.#scripts.run("configure", args) as unknown[]);
  }

  idleWait(queues: readonly string[], worker: string): Promise<IdleWait> {
    return dispatch.idleWait(this.#host, queues, worker);
  }

  waitForWork(queues: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#wake.wait(queues.map((q) => this.#keys.wake(q)), timeoutMs, signal);
  }

  handoffs(
    worker: string,
    queues: readonly string[],
    listeners: HandoffListeners,
  ): HandoffFeed | null {
    const source = { redis: this.#redis, wake: this.#wake, keys: this.#keys, worker, queues };
    return openHandoffFeed(source, listeners);
  }

  start(items: readonly LeaseProof[]): Promise<StatusCode[]> {
    return dispatch.start(this.#host, items);
  }

  steal(request: StealRequest): Promise<Reservation[]> {
    return dispatch.steal(this.#host, request);
  }

  registerNode(node: NodeInfo, ttlMs: number): Promise<void> {
    return cluster.registerNode(this.#host, node, ttlMs);
  }

  heartbeat(nodeId: string, info: HeartbeatInfo, ttlMs: number): Promise<boolean> {
    return cluster.heartbeat(this.#host, nodeId, info, ttlMs);
  }

  deregisterNode(nodeId: string): Promise<void> {
    return cluster.deregisterNode(this.#host, nodeId);
  }

  listNodes(): Promise<NodeRecord[]> {
    return cluster.listNodes(this.#host);
  }

  acquireLeadership(nodeId: string, ttlMs: number): Promise<LeaderLease | null> {
    return cluster.acquireLeadership(this.#host, nodeId, ttlMs);
  }

  renewLeadership(lease: LeaderLease, ttlMs: number): Promise<LeaderLease | null> {
    return cluster.renewLeadership(this.#host, lease, ttlMs);
  }

  resignLeadership(lease: LeaderLease): Promise<void> {
    return cluster.resignLeadership(this.#host, lease);
  }

  getLeader(): Promise<LeaderInfo | null> {
    return cluster.getLeader(this.#host);
  }

  reapDeadNodes(lease: LeaderLease): Promise<{ status: StatusCode; outcome: ReapOutcome }> {
    return recovery.reapDeadNodes(this.#host, lease);
  }

  readEvents(query: EventQuery = {}): Promise<EventBatch> {
    return this.#observations.readEvents(query);
  }

  metrics(query: { minutes?: number } = {}): Promise<MetricsSnapshot> {
    return this.#observations.metrics(query.minutes ?? 60);
  }

  progress(items: readonly ProgressReport[]): Promise<StatusCode[]> {
    return this.#observations.progress(items);
  }

  appendLogs(items: readonly JobLogLine[]): Promise<number> {
    return this.#observations.appendLogs(items);
  }

  jobLogs(id: string): Promise<string[]> {
    return this.#observations.jobLogs(id);
  }

  onCancelRequested(worker: string, listener: (id: string) => void): () => void {
    return this.#observations.onCancelRequested(worker, listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#observations.close();
    await this.#wake.close();
    if (this.#owned) await closeConnection(this.#redis);
  }
}
