/**
 * The engine facade: validates and encodes jobs, calls the store, maps store statuses to errors,
 * emits life-cycle events once, and starts workers.
 *
 * @module
 */
import type { JobEventListener, JobEventType } from "./job/events.ts";
import { type JobInfo, toJobInfo } from "./job/job_info.ts";
import { isLane, type Lane } from "./job/lanes.ts";
import type { EnqueueOptions } from "./job/options.ts";
import { assertQueueName } from "./job/queue_name.ts";
import type { JobState } from "./job/states.ts";
import type { FunctionLimits } from "./job/limits.ts";
import { checkReschedule, type RescheduleTo } from "./job/reschedule.ts";
import type { JobDefinition } from "./registry/definition.ts";
import type { Enqueue, JobClass, JobRef, PayloadOf } from "./registry/job_ref.ts";
import type { LaneConfig, LaneConfigInput } from "./schedule/lane_config.ts";
import type { JobListQuery, QueueCounts, Store } from "./store/store.ts";
import type { EventBatch, EventQuery, MetricsSnapshot, StoredEvent } from "./store/observations.ts";
import type { LeaderInfo, NodeRecord } from "./store/cluster.ts";
import type { FeedSubscription } from "./events/event_feed.ts";
import { waitForResult } from "./events/job_result.ts";
import type { WorkOptions } from "./worker/node_options.ts";
import type { WorkerHandle } from "./worker/worker_node.ts";
import type { WorkerRuntime } from "./worker/runtime.ts";
import { type JobDependencies, readDependencies } from "./graph/dependencies.ts";
import type { PageRequest } from "./graph/page.ts";
import { type JobGraph, walkGraph } from "./graph/walk.ts";
import type { DeadLetterQueue } from "./engine/dead_letter_queue.ts";
import { provideEngineInternals } from "./engine/internals.ts";
import type { Schedules } from "./engine/schedules.ts";
import { CALLBACKS_CLOSE_WAIT_MS, settleWithin } from "./engine/failure_options.ts";
import { iterateEvents } from "./engine/event_iterator.ts";
import { assembleEngine, type EngineParts, workerRuntime } from "./engine/parts.ts";
import { launchWorker } from "./engine/worker_launch.ts";
import { allCounts, cancelJob, limitsOf, requireQueue, stateAfter } from "./engine/job_actions.ts";
import type {
  AlertStats,
  BulkItem,
  EmitOptions,
  EngineOptions,
  JobInfoPage,
  JobLogEntry,
  QueueActionOptions,
} from "./engine/options.ts";

/** The Sluice engine: see `createEngine`. */
export class Engine {
  #p: EngineParts;
  #workers = new Set<WorkerHandle>();
  #closed = false;
  /** The dead-letter queue: list, inspect, requeue and purge dead jobs. */
  readonly deadLetters: DeadLetterQueue;
  /** Cron schedules: set, get, list, pause, resume, trigger and delete them. */
  readonly schedules: Schedules;

  static {
    // the testing kit's view of an engine's parts (src/engine/internals.ts), not public API
    provideEngineInternals((engine) => {
      if (typeof engine !== "object" || engine === null || !(#p in engine)) {
        throw new TypeError("expected an engine made by createEngine or createTestEngine");
      }
      const { functions, failures } = engine.#p;
      const definitions = () => functions.all();
      return { runtime: engine.#runtime(), definitions, failuresSettled: () => failures.idle() };
    });
  }

  /** Use `createEngine`. */
  constructor(options: EngineOptions) {
    this.#p = assembleEngine(options, (id) => this.getJob(id));
    this.deadLetters = this.#p.deadLetters;
    this.schedules = this.#p.schedules;
  }

  /** What failure callbacks and the webhook did so far. */
  alertStats(): AlertStats {
    return { callbacks: this.#p.failures.stats, webhook: this.#p.webhook?.stats ?? null };
  }

  /**
   * Resolves when the functions given to `createEngine` are registered (at once for a list or a
   * manifest; after the folder scan for a folder). Rejects with the loading error, e.g. two
   * functions with one name. `enqueue`, `enqueueBulk` and `emit` wait for it by themselves.
   */
  async ready(): Promise<void> {
    await this.#p.functions.ready();
  }

  /** The store this engine uses. */
  get store(): Store {
    return this.#p.store;
  }

  /** Registers functions (definitions or `@job` classes) so workers run them and producers
   * enqueue them by name. */
  register(...functions: (JobDefinition | JobClass)[]): this {
    this.#p.functions.register(functions);
    return this;
  }

  /** Names of the registered functions. */
  functionNames(): string[] {
    return this.#p.functions.names();
  }

  /**
   * Enqueues one job and returns its id. The payload is checked against the function's schema:
   * an invalid one throws `PayloadValidationError` and nothing is stored. With `options.id`,
   * enqueueing the same id again returns it and stores nothing.
   */
  // deno-lint-ignore no-explicit-any
  enqueue<D extends JobDefinition<any, any> | JobClass>(
    job: D,
    payload: PayloadOf<D>,
    options?: EnqueueOptions,
  ): Promise<string>;
  /** Enqueues a job of a registered function by name; the payload is checked at run time. */
  enqueue(job: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  async enqueue(job: JobRef, payload: unknown, options?: EnqueueOptions): Promise<string> {
    this.#assertOpen();
    await this.#p.functions.ready();
    return await this.#p.producer.enqueue(job, payload, options);
  }

  /**
   * Enqueues many jobs atomically: all are stored or none. Returns the ids in item order. Items
   * may name each other: an item's `ref`, listed in another's `options.dependsOn`, makes a
   * dependency graph, checked whole (a cycle is refused, naming it) and stored in one step. One
   * invalid item throws `BulkItemError` naming its index, and nothing is stored; so does a
   * unique key held elsewhere (`DuplicateJobError`) or an unknown prerequisite
   * (`UnknownPrerequisiteError`).
   */
  async enqueueBulk(items: readonly BulkItem[]): Promise<string[]> {
    this.#assertOpen();
    await this.#p.functions.ready();
    return await this.#p.producer.enqueueBulk(items);
  }

  /**
   * Publishes an event: enqueues one job for every registered function whose `on` lists `event`,
   * each payload checked against its function's schema, atomically (all or none). Returns the
   * job ids in function-name order; none when no function listens. A payload one function
   * refuses throws its `PayloadValidationError` and stores nothing.
   */
  async emit(event: string, payload: unknown, options: EmitOptions = {}): Promise<string[]> {
    this.#assertOpen();
    await this.#p.functions.ready();
    return await this.#p.producer.emit(event, payload, options);
  }

  /** The job with this id, or null when there is none. */
  async getJob(id: string): Promise<JobInfo | null> {
    const record = await this.#p.store.getJob(id);
    return record ? toJobInfo(record, this.#p.decode) : null;
  }

  /**
   * The prerequisites of job `id` (all) and a page of its dependents (`limit` default 50, at most
   * 1,000; `cursor` from the page before), each with its state, function and lanes. Throws
   * `JobNotFoundError` for an unknown job.
   */
  dependencies(id: string, page?: PageRequest): Promise<JobDependencies> {
    return readDependencies(this.#p.store, id, page);
  }

  /**
   * The dependency graph connected to job `id`, breadth first from it: nodes (state, function,
   * lanes) and edges prerequisite -> dependent, a page of `limit` nodes (default 200, at most
   * 2,000) at a time. Throws `JobNotFoundError` for an unknown job.
   */
  graph(id: string, page?: PageRequest): Promise<JobGraph> {
    return walkGraph(this.#p.store, id, page);
  }

  /** Lists the jobs of a queue in one state, a page at a time. */
  async listJobs(query: JobListQuery): Promise<JobInfoPage> {
    assertQueueName(query.queue, "listJobs");
    const page = await this.#p.store.listJobs(query);
    return {
      jobs: page.jobs.map((r) => toJobInfo(r, this.#p.decode)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Cancels a job. Waiting, delayed and blocked jobs become `cancelled` at once (returns
   * `"cancelled"`); an active job has its signal aborted at once on its node, in any process (a
   * wake-up through the store; the lease renewal is the fallback), and ends `cancelled` unless
   * it completes first (returns `"active"`); an inline handler that
   * ignores its signal is abandoned `cancelGraceMs` later and the job recorded `cancelled`.
   * Throws `JobNotFoundError`, or `InvalidStateError` for a finished job.
   */
  cancel(id: string): Promise<JobState> {
    return cancelJob(this.#p, id);
  }

  /**
   * Moves the due time of a waiting or delayed job to `runAt`, or to `delay` ms from now (a
   * blocked one runs no earlier than it once unblocked): due later, it is delayed; due now or
   * earlier, it waits in its lane. Returns its state after. Throws `InvalidStateError` for an
   * active or finished job, `JobNotFoundError` for an unknown one.
   */
  async reschedule(id: string, to: RescheduleTo): Promise<JobState> {
    const due = checkReschedule(to, this.#p.clock.now());
    return stateAfter(await this.#p.store.reschedule(id, due), id, "reschedule");
  }

  /**
   * Moves a waiting or delayed job to another lane, keeping its place in line. Throws
   * `InvalidStateError` for an active or finished job, `JobNotFoundError` for an unknown one.
   */
  async changePriority(id: string, lane: Lane): Promise<void> {
    if (!isLane(lane)) throw new TypeError(`changePriority: unknown lane ${JSON.stringify(lane)}`);
    stateAfter(await this.#p.store.changePriority(id, lane), id, "change the priority of");
  }

  /** Depth of one queue per lane and state. */
  counts(queue: string): Promise<QueueCounts>;
  /** Depth of every queue per lane and state, by queue name. */
  counts(): Promise<Record<string, QueueCounts>>;
  async counts(queue?: string): Promise<QueueCounts | Record<string, QueueCounts>> {
    if (queue === undefined) return await allCounts(this.#p.store);
    assertQueueName(queue, "counts");
    return await this.#p.store.counts(queue);
  }

  /** Every known queue. */
  queues(): Promise<string[]> {
    return this.#p.store.queues();
  }

  /** Every recorded worker node of the cluster, dead ones not yet reaped included. */
  nodes(): Promise<NodeRecord[]> {
    return this.#p.store.listNodes();
  }

  /** The current live leader of the cluster, or null. */
  leader(): Promise<LeaderInfo | null> {
    return this.#p.store.getLeader();
  }

  /**
   * Stops dispatch from `queue`; producers can still enqueue. Throws `UnknownQueueError` for a
   * queue that does not exist yet, unless `options.create` (queues are never removed, so a typo
   * would otherwise stay in the store for good).
   */
  async pause(queue: string, options: QueueActionOptions = {}): Promise<void> {
    await requireQueue(this.#p.store, queue, "pause", options.create);
    await this.#p.store.pause(queue);
  }

  /** Resumes dispatch from `queue`, in the order jobs were waiting; unknown queues as `pause`. */
  async resume(queue: string, options: QueueActionOptions = {}): Promise<void> {
    await requireQueue(this.#p.store, queue, "resume", options.create);
    await this.#p.store.resume(queue);
  }

  /**
   * Sets lane weights, strict mode, the aging bound or the rate limit of `queue`, for every
   * node, at once; unknown queues as `pause`.
   */
  async configureQueue(
    queue: string,
    config: LaneConfigInput,
    options: QueueActionOptions = {},
  ): Promise<LaneConfig> {
    await requireQueue(this.#p.store, queue, "configure", options.create);
    return await this.#p.store.configureLanes(queue, config);
  }

  /** The lane configuration and rate limit of `queue` (defaults for a queue never configured). */
  async queueConfig(queue: string): Promise<LaneConfig> {
    assertQueueName(queue, "queueConfig");
    return await this.#p.store.getLaneConfig(queue);
  }

  /**
   * The rate and concurrency limits every node enforces, by function name (as the functions'
   * definitions set them when their jobs are first enqueued or a worker starts); with `queue`,
   * only those of the functions registered here whose jobs go to that queue by default.
   */
  functionLimits(queue?: string): Promise<Record<string, FunctionLimits>> {
    return limitsOf(this.#p, queue);
  }

  /**
   * The job events of every process, from the store's shared stream: from the event after
   * `from` (an event id, e.g. a `StoredEvent.id` seen before; default: from now on), until
   * `signal` aborts or the loop breaks. Unlike `on`, it sees what other processes' workers do.
   */
  events(
    options: { from?: string; signal?: AbortSignal } = {},
  ): AsyncGenerator<StoredEvent, void, undefined> {
    this.#assertOpen();
    const source = { feed: this.#p.feed, store: this.#p.store, closed: () => this.#closed };
    return iterateEvents(source, options);
  }

  /**
   * Calls `listener` with every job event of every process from now on, through the engine's one
   * reader of the shared stream. Resolves once listening, with `after`: the listener gets every
   * event after that id, so events up to it can be read with `readEvents` without a gap or a
   * repeat (a client resuming from an older id does so).
   */
  followEvents(listener: (event: StoredEvent) => void): Promise<FeedSubscription> {
    this.#assertOpen();
    return this.#p.feed.follow(listener);
  }

  /**
   * A page of the shared event stream: the events after `query.after` (default: none, the newest
   * id only), at most `query.limit`, with `gap` true when the stream no longer holds that id.
   */
  readEvents(query: EventQuery = {}): Promise<EventBatch> {
    return this.#p.store.readEvents(query);
  }

  /**
   * Metrics of the whole cluster per (queue, lane, function), as the store aggregates them from
   * every node: throughput counts and run and wait histograms (`BUCKET_EDGES_MS`), in total and
   * for each of the newest `minutes` minutes (default 60; a day is kept) that had any.
   */
  metrics(options: { minutes?: number } = {}): Promise<MetricsSnapshot> {
    return this.#p.store.metrics(options);
  }

  /**
   * Waits for job `id` to finish, whichever process runs it: resolves with its result, or
   * rejects with a `JobFailedError` (it ended dead or cancelled), a `ResultTimeoutError` after
   * `timeoutMs` (default 30,000), or a `JobNotFoundError`.
   */
  result(id: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
    this.#assertOpen();
    return waitForResult(this.#p.feed, (job) => this.getJob(job), id, options.timeoutMs ?? 30_000);
  }

  /** The log lines job `id` stored (`ctx.log`), oldest first. */
  async jobLogs(id: string): Promise<JobLogEntry[]> {
    return (await this.#p.store.jobLogs(id)).map((line) => JSON.parse(line) as JobLogEntry);
  }

  /** Subscribes to a job life-cycle event; returns the unsubscribe function. */
  on<T extends JobEventType>(type: T, listener: JobEventListener<T>): () => void {
    return this.#p.events.on(type, listener);
  }

  /**
   * Starts a worker in this process. Queues default to those of the registered functions.
   * Stores the cron schedules of the registered functions (keeping their run-time state); the
   * handle's `ready` waits for that too. Returns a handle whose `stop()` lets running jobs finish.
   */
  work(options: WorkOptions = {}): WorkerHandle {
    this.#assertOpen();
    const handle = launchWorker(
      this.#p,
      this.#runtime(),
      this.schedules,
      options,
      (stopped) => this.#workers.delete(stopped),
    );
    this.#workers.add(handle);
    return handle;
  }

  /** Stops this engine's workers and closes the store if the engine opened it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const p = this.#p;
    await Promise.all([...this.#workers].map((w) => w.stop()));
    this.#workers.clear();
    await this.schedules.settled();
    await settleWithin(p.failures.idle(), CALLBACKS_CLOSE_WAIT_MS);
    await p.webhook?.close();
    await p.feed.close();
    if (p.ownsStore) await p.store.close();
  }

  #runtime(): WorkerRuntime {
    const enqueue = (job: JobRef, payload: unknown, options?: EnqueueOptions) =>
      this.enqueue(job as string, payload, options);
    return workerRuntime(this.#p, enqueue as Enqueue);
  }

  #assertOpen(): void {
    if (this.#closed) throw new TypeError("the engine is closed");
  }
}

/**
 * Creates an engine on a store (`MemoryStore`, `RedisStore`, or a URL: `memory://`,
 * `redis://host:port/db`, `rediss://...`).
 */
export function createEngine(options: EngineOptions): Engine {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createEngine: options must be an object with a store");
  }
  return new Engine(options);
}
