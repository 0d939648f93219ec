/**
 * `RedisStore`: the `Store` on Redis. Every verb is one Lua script call (`lua/*.lua`), batched
 * over all the jobs of the call; semantics match `MemoryStore` verb by verb (the conformance
 * suite holds both to that). On the system clock the scripts read Redis `TIME`, so every node
 * agrees on one clock; with an injected clock (tests) they receive its `now`. Key layout: see
 * `keys.ts`; job fields: see `job_fields.ts`.
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
import { type Lane, laneIndex } from "../../job/lanes.ts";
import { type StatusCode, toStatus } from "../../job/status.ts";
import { type Clock, systemClock } from "../../job/clock.ts";
import { STATE_LETTERS } from "./job_fields.ts";
import { decodeEnqueue, enqueueArgs } from "./enqueue_args.ts";
import { newLeaseToken } from "../../job/ids.ts";
import type { LaneConfig, LaneConfigInput } from "../../schedule/lane_config.ts";
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
import {
  checkIds,
  DEFAULT_EVENTS,
  DEFAULT_RETENTION,
  dependentsPage,
  parsePage,
  PROMOTE_BATCH,
  RECLAIM_BATCH,
  reserveShape,
  stalledError,
} from "../_shared.ts";
import {
  DEAD_SCAN_BUDGET,
  DEFAULT_DEAD_BATCH,
  DEFAULT_DEAD_PAGE,
  resolveDeadQuery,
} from "../dead_letters.ts";
import { DEFAULT_NAMESPACE, Keys } from "./keys.ts";
import { type ScriptArg, Scripts } from "./scripts.ts";
import {
  decodeCounts,
  decodeJob,
  decodeReservations,
  Frames,
  num,
  outcome,
  pairs,
  statuses,
  text,
  toBuffer,
} from "./record.ts";
import {
  CONFIG_FIELDS,
  configureArgs,
  decodeFunctionLimits,
  decodeLaneConfig,
  DEFAULT_CONFIG_ARGS,
  encodeFunctionLimits,
} from "./config.ts";
import type { FunctionLimits } from "../../job/limits.ts";
import {
  closeConnection,
  duplicateConnection,
  openConnection,
  waitUntilReady,
  warnUnlessNoEviction,
} from "./connection.ts";
import { WakeHub } from "./wake.ts";
import { checkAccess } from "./access.ts";
import { RedisObservations } from "./observations.ts";
import type { EventBatch, EventQuery, MetricsSnapshot } from "../observations.ts";
import { decodeNodes, nodeArgs } from "./node_record.ts";
import { RedisSchedules } from "./redis_schedules.ts";
import type { ScheduleStore } from "../schedule_store.ts";

export { dropNamespace } from "./connection.ts";

/** Options of `RedisStore`. */
export interface RedisStoreOptions {
  /** Redis URL (default `redis://127.0.0.1:6379`); ignored when `redis` is given. */
  url?: string;
  /**
   * An existing ioredis client (or `Cluster`) to run commands on; the store leaves it open on
   * `close`.
   */
  redis?: Redis | Cluster;
  /** Namespace: every key starts with `{sluice:NAMESPACE}:` (default `"default"`). */
  namespace?: string;
  /**
   * The clock for due times, leases and aging. Default: the server's clock (Redis `TIME`), the
   * one clock every node shares; an injected clock is for tests.
   */
  clock?: Clock;
  /** Retention of finished jobs. */
  retention?: Partial<RetentionConfig>;
  /**
   * Job events kept in the shared stream, about (default 10,000, as BullMQ's event stream; 0: no
   * events). A store call's events go and come together.
   */
  events?: number;
  /** Aggregate metrics per queue, lane and function (default true). */
  metrics?: boolean;
}

const STALLED_PARTS: string[] = (() => {
  const json = JSON.stringify(stalledError(7_777_777, 8_888_888));
  const [head, rest] = json.split("7777777");
  const [middle, tail] = (rest ?? "").split("8888888");
  if (head === undefined || middle === undefined || tail === undefined) {
    throw new Error("RedisStore: cannot split the stalled error message");
  }
  return [head, middle, tail];
})();

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
      run: (name, args) => this.#scripts.run(name, args),
      now: () => this.#now(),
      opts: this.#opts,
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
      // a cluster client queues commands until it has the slot map: bound that wait
      if ("nodes" in store.#redis) await waitUntilReady(store.#redis);
      await store.#redis.ping();
      await checkAccess(store.#redis, store.#keys.prefix);
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

  async enqueueGroups(groups: readonly (readonly NewJob[])[]): Promise<GroupOutcome[]> {
    const stored = groups.filter((g) => g.length > 0);
    if (stored.length === 0) return groups.map(() => []);
    const args: ScriptArg[] = [this.#now(), this.#opts, stored.map((g) => g.length).join(",")];
    for (const group of stored) for (const job of group) args.push(...enqueueArgs(job));
    const replies = await this.#scripts.run("enqueue", args) as unknown[];
    let next = 0;
    return groups.map((g) => g.length === 0 ? [] : decodeEnqueue(replies[next++], g.length));
  }

  async reserve(request: ReserveRequest): Promise<Reservation[]> {
    const { started, prefetch, lanes, lowerLimit } = reserveShape(request);
    if (started + prefetch <= 0 || request.queues.length === 0 || lanes?.length === 0) return [];
    const terms = { leaseMs: request.leaseMs, tokenBase: request.callId ?? newLeaseToken() };
    const args: ScriptArg[] = [
      this.#now(),
      this.#opts,
      request.worker,
      started,
      terms.leaseMs,
      terms.tokenBase,
      PROMOTE_BATCH,
      ...DEFAULT_CONFIG_ARGS,
      prefetch,
      lanes === undefined ? "" : lanes.join(""),
      lowerLimit ?? "",
      ...request.queues,
    ];
    return decodeReservations(await this.#scripts.run("reserve", args), terms);
  }

  async complete(items: readonly Completion[]): Promise<StatusCode[]> {
    if (items.length === 0) return [];
    const args: ScriptArg[] = [this.#now(), this.#opts];
    for (const item of items) {
      args.push(item.id, item.token, item.result === null ? "" : toBuffer(item.result));
    }
    return statuses(await this.#scripts.run("complete", args));
  }

  async fail(items: readonly Failure[]): Promise<TransitionOutcome[]> {
    if (items.length === 0) return [];
    const args: ScriptArg[] = [this.#now(), this.#opts];
    for (const item of items) args.push(item.id, item.token, item.error, item.retryDelay ?? "");
    const reply = new Frames(await this.#scripts.run("fail", args));
    return items.map(() => outcome(reply.text(), reply.text()));
  }

  async release(items: readonly Release[]): Promise<StatusCode[]> {
    if (items.length === 0) return [];
    const args: ScriptArg[] = [this.#now(), this.#opts];
    for (const item of items) {
      args.push(item.id, item.token, item.delay ?? "", item.throttle ?? "");
    }
    return statuses(await this.#scripts.run("release", args));
  }

  async extendLeases(items: readonly LeaseProof[], leaseMs: number): Promise<StatusCode[]> {
    if (items.length === 0) return [];
    const args: ScriptArg[] = [this.#now(), leaseMs];
    for (const item of items) args.push(item.id, item.token);
    return statuses(await this.#scripts.run("extendLeases", args));
  }

  async reclaimExpired(limit: number = RECLAIM_BATCH): Promise<ReclaimOutcome> {
    const args = [this.#now(), this.#opts, limit, ...STALLED_PARTS];
    const [requeued, dead] = await this.#scripts.run("reclaimExpired", args) as unknown[][];
    return { requeued: (requeued ?? []).map(text), dead: (dead ?? []).map(text) };
  }

  async promoteDue(queues: readonly string[], limit: number = PROMOTE_BATCH): Promise<number> {
    if (queues.length === 0) return 0;
    return num(await this.#scripts.run("promoteDue", [this.#now(), limit, ...queues]));
  }

  async changePriority(id: string, lane: Lane): Promise<TransitionOutcome> {
    const [status, state] = await this.#scripts.run("changePriority", [
      id,
      laneIndex(lane),
    ]) as unknown[];
    return outcome(status, state);
  }

  async reschedule(
    id: string,
    due: { runAt: number } | { delay: number },
  ): Promise<TransitionOutcome> {
    const at = "runAt" in due ? [due.runAt, ""] : ["", due.delay];
    const args = [this.#now(), id, ...at];
    const [status, state] = await this.#scripts.run("reschedule", args) as unknown[];
    return outcome(status, state);
  }

  async cancel(id: string): Promise<TransitionOutcome> {
    const args = [this.#now(), this.#opts, id];
    const [status, state] = await this.#scripts.run("cancel", args) as unknown[];
    return outcome(status, state);
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return (await this.getJobs([id]))[0]!;
  }

  async getJobs(ids: readonly string[]): Promise<(JobRecord | null)[]> {
    checkIds(ids);
    if (ids.length === 0) return [];
    const reply = await this.#scripts.run("getJobs", [...ids]) as unknown[];
    return ids.map((id, i) => {
      const deadline = text(reply[3 * i + 1]);
      const lease = deadline === "" ? null : Number(deadline);
      return decodeJob(id, pairs(reply[3 * i]), lease, num(reply[3 * i + 2]));
    });
  }

  async dependents(id: string, page: { offset?: number; limit?: number } = {}): Promise<string[]> {
    const { offset, limit } = dependentsPage(page);
    return (await this.#scripts.run("dependents", [id, offset, limit]) as unknown[]).map(text);
  }

  async listJobs(query: JobListQuery): Promise<JobPage> {
    const { offset, limit } = parsePage(query);
    const lane = query.lane === undefined ? "" : laneIndex(query.lane);
    const args = [query.queue, STATE_LETTERS[query.state] ?? "", lane, offset, limit];
    const reply = await this.#scripts.run("listJobs", args) as unknown[];
    const jobs: JobRecord[] = [];
    for (let i = 1; i + 3 < reply.length; i += 4) {
      const deadline = text(reply[i + 2]);
      const lease = deadline ? Number(deadline) : null;
      const job = decodeJob(text(reply[i]), pairs(reply[i + 1]), lease, num(reply[i + 3]));
      if (job) jobs.push(job);
    }
    return { jobs, nextCursor: num(reply[0]) === 1 ? String(offset + limit) : null };
  }

  async listDead(query: DeadLetterQuery): Promise<JobPage> {
    const reply = await this.#dead("listDead", query, DEFAULT_DEAD_PAGE);
    const jobs: JobRecord[] = [];
    for (let i = 1; i + 2 < reply.length; i += 3) {
      const job = decodeJob(text(reply[i]), pairs(reply[i + 1]), null, num(reply[i + 2]));
      if (job) jobs.push(job);
    }
    return { jobs, nextCursor: text(reply[0]) || null };
  }

  async requeueDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    const [cursor, ...ids] = await this.#dead("requeueDead", query, DEFAULT_DEAD_BATCH);
    return { ids: ids.map(text), nextCursor: text(cursor) || null };
  }

  async purgeDead(query: DeadLetterQuery): Promise<DeadLetterBatch> {
    const [cursor, ...ids] = await this.#dead("purgeDead", query, DEFAULT_DEAD_BATCH);
    return { ids: ids.map(text), nextCursor: text(cursor) || null };
  }

  /** Runs a dead-letter script with the filter of `query` (see `lua/_dead_letters.lua`). */
  async #dead(
    script: "listDead" | "requeueDead" | "purgeDead",
    query: DeadLetterQuery,
    defaultLimit: number,
  ): Promise<unknown[]> {
    const q = resolveDeadQuery(query, defaultLimit, script);
    const args: ScriptArg[] = [this.#now(), this.#opts, q.queue, q.name, q.errorContains];
    args.push(q.after ?? "", q.before ?? "", q.cursor?.score ?? "", q.cursor?.id ?? "");
    args.push(q.limit, DEAD_SCAN_BUDGET, ...(q.ids ?? []));
    return await this.#scripts.run(script, args) as unknown[];
  }

  async counts(queue: string): Promise<QueueCounts> {
    return decodeCounts(queue, await this.#scripts.run("counts", [queue]));
  }

  async queues(): Promise<string[]> {
    return (await this.#redis.zrange(this.#keys.queues(), "0", "-1")).sort();
  }

  async pause(queue: string): Promise<void> {
    await this.#scripts.run("setPaused", [queue, "1"]);
  }

  async resume(queue: string): Promise<void> {
    await this.#scripts.run("setPaused", [queue, "0"]);
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

  async idleWait(queues: readonly string[], worker: string): Promise<IdleWait> {
    const reply = text(await this.#scripts.run("idleWait", [this.#now(), worker, ...queues]));
    const [due, stealable] = reply.split("\t");
    return { dueIn: due === "" ? null : Number(due), stealable: stealable === "1" };
  }

  waitForWork(queues: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#wake.wait(queues.map((q) => this.#keys.wake(q)), timeoutMs, signal);
  }

  async start(items: readonly LeaseProof[]): Promise<StatusCode[]> {
    if (items.length === 0) return [];
    const args: ScriptArg[] = [this.#now(), this.#opts];
    for (const item of items) args.push(item.id, item.token);
    return statuses(await this.#scripts.run("start", args));
  }

  async steal(request: StealRequest): Promise<Reservation[]> {
    if (request.count <= 0 || request.queues.length === 0) return [];
    const terms = { leaseMs: request.leaseMs, tokenBase: request.callId ?? newLeaseToken() };
    const args: ScriptArg[] = [
      this.#now(),
      this.#opts,
      request.worker,
      request.count,
      terms.leaseMs,
      terms.tokenBase,
      ...new Set(request.queues),
    ];
    return decodeReservations(await this.#scripts.run("steal", args), terms);
  }

  async registerNode(node: NodeInfo, ttlMs: number): Promise<void> {
    await this.#scripts.run("registerNode", [this.#now(), ttlMs, ...nodeArgs(node)]);
  }

  async heartbeat(nodeId: string, info: HeartbeatInfo, ttlMs: number): Promise<boolean> {
    const args = [this.#now(), ttlMs, nodeId, info.busy, info.completed ?? "", info.failed ?? ""];
    return num(await this.#scripts.run("heartbeat", args)) === 1;
  }

  async deregisterNode(nodeId: string): Promise<void> {
    await this.#scripts.run("deregisterNode", [nodeId]);
  }

  async listNodes(): Promise<NodeRecord[]> {
    return decodeNodes(await this.#scripts.run("listNodes", []));
  }

  async acquireLeadership(nodeId: string, ttlMs: number): Promise<LeaderLease | null> {
    const token = newLeaseToken();
    const args = [this.#now(), nodeId, ttlMs, token];
    const [epoch, expiresAt] = await this.#scripts.run("acquireLeadership", args) as unknown[];
    return num(epoch) > 0
      ? { node: nodeId, token, epoch: num(epoch), expiresAt: num(expiresAt) }
      : null;
  }

  async renewLeadership(lease: LeaderLease, ttlMs: number): Promise<LeaderLease | null> {
    const args = [this.#now(), lease.token, lease.epoch, ttlMs];
    const expiresAt = text(await this.#scripts.run("renewLeadership", args));
    return expiresAt === "" ? null : { ...lease, expiresAt: Number(expiresAt) };
  }

  async resignLeadership(lease: LeaderLease): Promise<void> {
    await this.#scripts.run("resignLeadership", [lease.token]);
  }

  async getLeader(): Promise<LeaderInfo | null> {
    const reply = await this.#scripts.run("getLeader", [this.#now()]) as unknown[];
    if (reply.length < 3) return null;
    return { node: text(reply[0]), epoch: num(reply[1]), expiresAt: num(reply[2]) };
  }

  async reapDeadNodes(lease: LeaderLease): Promise<{ status: StatusCode; outcome: ReapOutcome }> {
    const args = [
      this.#now(),
      this.#opts,
      lease.token,
      lease.epoch,
      ...STALLED_PARTS,
    ];
    const [status, nodes, requeued, dead] = await this.#scripts.run("reapDeadNodes", args) as [
      unknown,
      unknown[],
      unknown[],
      unknown[],
    ];
    return {
      status: toStatus(status),
      outcome: { nodes: nodes.map(text), requeued: requeued.map(text), dead: dead.map(text) },
    };
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
