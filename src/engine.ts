/**
 * The engine facade: validates and encodes jobs, calls the store, maps store statuses to errors,
 * emits life-cycle events once, and starts workers.
 *
 * @module
 */
import type { z } from "zod";
import {
  type EncodingDefaults,
  PayloadEncoder,
  resolveEncodingDefaults,
} from "./codec/payload_encoder.ts";
import { type Clock, systemClock } from "./job/clock.ts";
import {
  BulkItemError,
  errorForStatus,
  PayloadValidationError,
  UnknownFunctionError,
  UnknownQueueError,
} from "./job/errors.ts";
import { JobEventEmitter, type JobEventListener, type JobEventType } from "./job/events.ts";
import { type JobInfo, toJobInfo } from "./job/job_info.ts";
import { isLane, type Lane } from "./job/lanes.ts";
import { consoleLogger, type Logger, quietOutages } from "./job/logger.ts";
import { type EnqueueOptions, resolveEnqueueOptions } from "./job/options.ts";
import { assertQueueName } from "./job/queue_name.ts";
import type { JobState } from "./job/states.ts";
import { assertEventName, type JobDefinition } from "./registry/definition.ts";
import { discoverFunctions, functionsFromManifest } from "./registry/discovery.ts";
import { functionModules, type FunctionSource } from "./registry/function_modules.ts";
import { definitionOf } from "./registry/job_decorator.ts";
import type { Enqueue, JobClass, JobRef, PayloadOf } from "./registry/job_ref.ts";
import { type FunctionManifest, isFunctionManifest } from "./registry/manifest.ts";
import type { LaneConfig, LaneConfigInput } from "./schedule/lane_config.ts";
import { openStore } from "./store/open_store.ts";
import type {
  EnqueueOutcome,
  GroupOutcome,
  JobListQuery,
  NewJob,
  QueueCounts,
  Store,
} from "./store/store.ts";
import { DuplicateJobError, UnknownPrerequisiteError } from "./job/enqueue_errors.ts";
import { jobIdProblem } from "./job/ids.ts";
import { uniqueLock } from "./job/unique.ts";
import { type FunctionLimits, limitKeyOf } from "./job/limits.ts";
import { LimitSync } from "./registry/limit_sync.ts";
import { Coalescer } from "./worker/coalescer.ts";
import { EventFeed, type FeedSubscription } from "./events/event_feed.ts";
import { waitForResult } from "./events/job_result.ts";
import type { EventBatch, EventQuery, MetricsSnapshot, StoredEvent } from "./store/observations.ts";
import { type OrderedCall, orderItems, type PreparedJob } from "./schedule/enqueue_order.ts";
import type { LeaderInfo, NodeRecord } from "./store/cluster.ts";
import type { WorkOptions } from "./worker/node_options.ts";
import { startNode } from "./worker/start_node.ts";
import type { WorkerHandle } from "./worker/worker_node.ts";
import type { WorkerRuntime } from "./worker/runtime.ts";
import { type JobDependencies, readDependencies } from "./graph/dependencies.ts";
import type { PageRequest } from "./graph/page.ts";
import { type JobGraph, walkGraph } from "./graph/walk.ts";
import { FailureDispatcher, type FailureHookStats } from "./alerts/failure_hooks.ts";
import { WebhookSender, type WebhookStats } from "./alerts/webhook.ts";
import type { WebhookOptions } from "./alerts/webhook_options.ts";
import { DeadLetterQueue } from "./dead_letter_queue.ts";
import { provideEngineInternals } from "./engine_internals.ts";
import { Schedules } from "./schedules.ts";
import { checkReschedule, type RescheduleTo } from "./job/reschedule.ts";
import type { FailureHook } from "./registry/failure_options.ts";
import {
  CALLBACKS_CLOSE_WAIT_MS,
  checkGraces,
  checkHooks,
  settleWithin,
} from "./engine_failure_options.ts";

/** Options of `createEngine`. */
export interface EngineOptions extends Partial<EncodingDefaults> {
  /** A `Store`, or a URL: `memory://`, `redis://host:port/db`, `rediss://...`. */
  store: Store | string;
  /** Namespace of the Redis keys when `store` is a URL (default `"default"`). */
  namespace?: string;
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** Where the engine logs (default: the console). */
  logger?: Logger;
  /**
   * Functions to register: definitions and `@job` classes; or a functions folder (every
   * `**\/*.ts` in it, loaded in the background: see `ready`); or a generated manifest (for
   * compiled programs).
   */
  functions?: (JobDefinition | JobClass)[] | string | FunctionManifest;
  /** Called after every failed attempt of any function (after the function's own `onFailure`). */
  onFailure?: FailureHook;
  /** Called for every dead-lettered job (after the function's own `onDead`). */
  onDead?: FailureHook;
  /** Alerting webhook: a signed HTTP POST per dead job, sent in the background with retries. */
  webhook?: WebhookOptions;
  /** How long an inline handler may run on after its `timeout` aborted its signal (ms, 1,000). */
  abortGraceMs?: number;
  /** How long an inline handler may run on after a cancellation aborted its signal (10,000). */
  cancelGraceMs?: number;
}

/** What failure callbacks and the webhook did so far (`engine.alertStats()`). */
export interface AlertStats {
  /** Failure callbacks. */
  callbacks: FailureHookStats;
  /** The webhook, or null without one. */
  webhook: WebhookStats | null;
}

/** Options of `engine.emit`: those of `enqueue` that make sense for several functions. */
export interface EmitOptions {
  /** Lane of every job (default: each function's). */
  priority?: EnqueueOptions["priority"];
  /** Run no earlier than this many ms from now. */
  delay?: number;
  /** Run no earlier than this time. */
  runAt?: Date | number;
  /** Event id: each job gets the id `<id>:<function name>`, so emitting again stores nothing. */
  id?: string;
}

/** Options of `pause`, `resume` and `configureQueue`. */
export interface QueueActionOptions {
  /** Act on a queue that does not exist yet, creating it (default false: an unknown queue throws). */
  create?: boolean;
}

/** One item of `enqueueBulk`. */
export interface BulkItem {
  /** The function, by definition or name. */
  job: JobRef;
  /** Its payload. */
  payload: unknown;
  /** Enqueue options. */
  options?: EnqueueOptions;
  /** A name for this item, which other items of the call list in their `dependsOn`. */
  ref?: string;
}

/** A stored log line of a job (`ctx.log`). */
export interface JobLogEntry {
  /** When (epoch ms, the node's clock). */
  at: number;
  /** Level. */
  level: "debug" | "info" | "warn" | "error";
  /** The message. */
  message: string;
  /** Its fields, if any. */
  fields?: Record<string, unknown>;
}

/** A page of jobs, decoded. */
export interface JobInfoPage {
  /** The jobs. */
  jobs: JobInfo[];
  /** Cursor of the next page, or null. */
  nextCursor: string | null;
}

/** The Sluice engine: see `createEngine`. */
export class Engine {
  #store: Store;
  #ownsStore: boolean;
  #clock: Clock;
  #logger: Logger;
  #encoder: PayloadEncoder;
  #events: JobEventEmitter;
  #definitions = new Map<string, JobDefinition>();
  #workers = new Set<WorkerHandle>();
  #closed = false;
  #loading: Promise<void> | null = null;
  /** The folder or manifest the functions came from (isolates load them from there). */
  #functionSource: FunctionSource = null;
  #loaded = true;
  #webhook: WebhookSender | null;
  #failures: FailureDispatcher;
  #graces: { abortGraceMs?: number; cancelGraceMs?: number };
  /** The dead-letter queue: list, inspect, requeue and purge dead jobs. */
  readonly deadLetters: DeadLetterQueue;
  #feed: EventFeed;
  #limits: LimitSync;
  #enqueuer: Coalescer<readonly NewJob[], GroupOutcome>;
  /** Cron schedules: set, get, list, pause, resume, trigger and delete them. */
  readonly schedules: Schedules;

  static {
    // the testing kit's view of an engine's parts (src/engine_internals.ts), not public API
    provideEngineInternals((engine) => {
      if (typeof engine !== "object" || engine === null || !(#store in engine)) {
        throw new TypeError("expected an engine made by createEngine or createTestEngine");
      }
      return {
        runtime: engine.#runtime(),
        definitions: () => [...engine.#definitions.values()],
        failuresSettled: () => engine.#failures.idle(),
      };
    });
  }

  /** Use `createEngine`. */
  constructor(options: EngineOptions) {
    this.#clock = options.clock ?? systemClock;
    // an outage is logged once by the store's connection, not by every loop that retries
    this.#logger = quietOutages(options.logger ?? consoleLogger);
    this.#events = new JobEventEmitter((error) =>
      this.#logger.error("an event listener threw", { error: String(error) })
    );
    if (typeof options.store === "string") {
      this.#store = openStore(options.store, {
        clock: this.#clock,
        logger: this.#logger,
        ...(options.namespace ? { namespace: options.namespace } : {}),
      });
      this.#ownsStore = true;
    } else if (options.store && typeof options.store.reserve === "function") {
      this.#store = options.store;
      this.#ownsStore = false;
    } else {
      throw new TypeError("createEngine: store must be a Store or a URL string");
    }
    this.#encoder = new PayloadEncoder(resolveEncodingDefaults(options));
    this.#feed = new EventFeed(this.#store, this.#logger);
    this.#limits = new LimitSync(this.#store);
    this.#enqueuer = new Coalescer((groups) => this.#store.enqueueGroups(groups));
    this.deadLetters = new DeadLetterQueue(this.#store, (r) => toJobInfo(r, this.#decode));
    this.schedules = new Schedules({
      store: this.#store,
      clock: this.#clock,
      definition: (job) => this.#definitionOf(job),
      encode: (definition, payload) => this.#encoder.encodePayload(definition, payload),
      decode: this.#decode,
      enqueue: async (jobs) => this.#announce(await this.#store.enqueue(jobs), jobs),
      loaded: () => this.ready(),
    });
    this.#graces = checkGraces(options);
    this.#webhook = options.webhook
      ? new WebhookSender(options.webhook, this.#clock, this.#logger)
      : null;
    this.#failures = new FailureDispatcher({
      getJob: (id) => this.getJob(id),
      definition: (name) => this.#definitions.get(name),
      hooks: checkHooks(options),
      webhook: this.#webhook,
      logger: this.#logger,
    });
    this.#events.on("failed", (event) => this.#failures.failed(event));
    this.#load(options.functions);
  }

  /** What failure callbacks and the webhook did so far. */
  alertStats(): AlertStats {
    return { callbacks: this.#failures.stats, webhook: this.#webhook?.stats ?? null };
  }

  /**
   * Resolves when the functions given to `createEngine` are registered (at once for a list or a
   * manifest; after the folder scan for a folder). Rejects with the loading error, e.g. two
   * functions with one name. `enqueue`, `enqueueBulk` and `emit` wait for it by themselves.
   */
  async ready(): Promise<void> {
    await this.#loading;
  }

  /** The store this engine uses. */
  get store(): Store {
    return this.#store;
  }

  /** Registers functions (definitions or `@job` classes) so workers run them and producers
   * enqueue them by name. */
  register(...functions: (JobDefinition | JobClass)[]): this {
    for (const fn of functions) {
      const definition = definitionOf(fn);
      if (!definition) {
        throw new TypeError("register: expected a definition made by define() or a @job class");
      }
      const existing = this.#definitions.get(definition.name);
      if (existing && existing !== definition) {
        throw new TypeError(
          `register: a function named ${JSON.stringify(definition.name)} is registered already`,
        );
      }
      this.#definitions.set(definition.name, definition as JobDefinition);
    }
    return this;
  }

  /** Names of the registered functions. */
  functionNames(): string[] {
    return [...this.#definitions.keys()].sort();
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
    await this.#loading;
    const prepared = this.#prepare(job, payload, options);
    const [id] = await this.#submit(orderItems([prepared]));
    return id!;
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
    if (!Array.isArray(items)) throw new TypeError("enqueueBulk: items must be an array");
    await this.#loading;
    const jobs = items.map((item, index) => {
      try {
        if (typeof item !== "object" || item === null) {
          throw new TypeError("item must be an object");
        }
        return this.#prepare(item.job, item.payload, item.options, item.ref);
      } catch (error) {
        throw new BulkItemError(index, error);
      }
    });
    if (jobs.length === 0) return [];
    return await this.#submit(orderItems(jobs));
  }

  /**
   * Publishes an event: enqueues one job for every registered function whose `on` lists `event`,
   * each payload checked against its function's schema, atomically (all or none). Returns the
   * job ids in function-name order; none when no function listens. A payload one function
   * refuses throws its `PayloadValidationError` and stores nothing.
   */
  async emit(event: string, payload: unknown, options: EmitOptions = {}): Promise<string[]> {
    this.#assertOpen();
    assertEventName(event, "emit");
    await this.#loading;
    const { id, ...rest } = options;
    const jobs = [...this.#definitions.values()]
      .filter((d) => d.on.includes(event))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) =>
        this.#prepare(d, payload, id === undefined ? rest : { ...rest, id: `${id}:${d.name}` })
      );
    if (jobs.length === 0) {
      this.#logger.debug("emit: no function listens to this event", { event });
      return [];
    }
    return this.#announce(await this.#storeJobs(jobs), jobs);
  }

  /** The job with this id, or null when there is none. */
  async getJob(id: string): Promise<JobInfo | null> {
    const record = await this.#store.getJob(id);
    return record ? toJobInfo(record, this.#decode) : null;
  }

  /**
   * The prerequisites of job `id` (all) and a page of its dependents (`limit` default 50, at most
   * 1,000; `cursor` from the page before), each with its state, function and lanes. Throws
   * `JobNotFoundError` for an unknown job.
   */
  dependencies(id: string, page?: PageRequest): Promise<JobDependencies> {
    return readDependencies(this.#store, id, page);
  }

  /**
   * The dependency graph connected to job `id`, breadth first from it: nodes (state, function,
   * lanes) and edges prerequisite -> dependent, a page of `limit` nodes (default 200, at most
   * 2,000) at a time. Throws `JobNotFoundError` for an unknown job.
   */
  graph(id: string, page?: PageRequest): Promise<JobGraph> {
    return walkGraph(this.#store, id, page);
  }

  /** Lists the jobs of a queue in one state, a page at a time. */
  async listJobs(query: JobListQuery): Promise<JobInfoPage> {
    assertQueueName(query.queue, "listJobs");
    const page = await this.#store.listJobs(query);
    return { jobs: page.jobs.map((r) => toJobInfo(r, this.#decode)), nextCursor: page.nextCursor };
  }

  /**
   * Cancels a job. Waiting, delayed and blocked jobs become `cancelled` at once (returns
   * `"cancelled"`); an active job has its signal aborted at once on its node, in any process (a
   * wake-up through the store; the lease renewal is the fallback), and ends `cancelled` unless
   * it completes first (returns `"active"`); an inline handler that
   * ignores its signal is abandoned `cancelGraceMs` later and the job recorded `cancelled`.
   * Throws `JobNotFoundError`, or `InvalidStateError` for a finished job.
   */
  async cancel(id: string): Promise<JobState> {
    const out = await this.#store.cancel(id);
    const error = errorForStatus(out.status, id, "cancel", out.state);
    if (error) throw error;
    if (out.state === "cancelled" && this.#events.has("cancelled")) {
      const job = await this.#store.getJob(id);
      if (job) {
        this.#events.emit("cancelled", {
          id,
          name: job.name,
          queue: job.queue,
          lane: job.lane,
          at: this.#clock.now(),
        });
      }
    }
    return out.state!;
  }

  /**
   * Moves the due time of a waiting or delayed job to `runAt`, or to `delay` ms from now (a
   * blocked one runs no earlier than it once unblocked): due later, it is delayed; due now or
   * earlier, it waits in its lane. Returns its state after. Throws `InvalidStateError` for an
   * active or finished job, `JobNotFoundError` for an unknown one.
   */
  async reschedule(id: string, to: RescheduleTo): Promise<JobState> {
    const out = await this.#store.reschedule(id, checkReschedule(to, this.#clock.now()));
    const error = errorForStatus(out.status, id, "reschedule", out.state);
    if (error) throw error;
    return out.state!;
  }

  /**
   * Moves a waiting or delayed job to another lane, keeping its place in line. Throws
   * `InvalidStateError` for an active or finished job, `JobNotFoundError` for an unknown one.
   */
  async changePriority(id: string, lane: Lane): Promise<void> {
    if (!isLane(lane)) {
      throw new TypeError(`changePriority: unknown lane ${JSON.stringify(lane)}`);
    }
    const out = await this.#store.changePriority(id, lane);
    const error = errorForStatus(out.status, id, "change the priority of", out.state);
    if (error) throw error;
  }

  /** Depth of one queue per lane and state. */
  counts(queue: string): Promise<QueueCounts>;
  /** Depth of every queue per lane and state, by queue name. */
  counts(): Promise<Record<string, QueueCounts>>;
  async counts(queue?: string): Promise<QueueCounts | Record<string, QueueCounts>> {
    if (queue !== undefined) {
      assertQueueName(queue, "counts");
      return await this.#store.counts(queue);
    }
    const names = await this.#store.queues();
    const all = await Promise.all(names.map((name) => this.#store.counts(name)));
    return Object.fromEntries(all.map((c) => [c.queue, c]));
  }

  /** Every known queue. */
  queues(): Promise<string[]> {
    return this.#store.queues();
  }

  /** Every recorded worker node of the cluster, dead ones not yet reaped included. */
  nodes(): Promise<NodeRecord[]> {
    return this.#store.listNodes();
  }

  /** The current live leader of the cluster, or null. */
  leader(): Promise<LeaderInfo | null> {
    return this.#store.getLeader();
  }

  /**
   * Stops dispatch from `queue`; producers can still enqueue. Throws `UnknownQueueError` for a
   * queue that does not exist yet, unless `options.create` (queues are never removed, so a typo
   * would otherwise stay in the store for good).
   */
  async pause(queue: string, options: QueueActionOptions = {}): Promise<void> {
    await this.#existing(queue, "pause", options);
    await this.#store.pause(queue);
  }

  /** Resumes dispatch from `queue`, in the order jobs were waiting; unknown queues as `pause`. */
  async resume(queue: string, options: QueueActionOptions = {}): Promise<void> {
    await this.#existing(queue, "resume", options);
    await this.#store.resume(queue);
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
    await this.#existing(queue, "configure", options);
    return await this.#store.configureLanes(queue, config);
  }

  /** The lane configuration and rate limit of `queue` (defaults for a queue never configured). */
  async queueConfig(queue: string): Promise<LaneConfig> {
    assertQueueName(queue, "queueConfig");
    return await this.#store.getLaneConfig(queue);
  }

  /**
   * The rate and concurrency limits every node enforces, by function name (as the functions'
   * definitions set them when their jobs are first enqueued or a worker starts); with `queue`,
   * only those of the functions registered here whose jobs go to that queue by default.
   */
  async functionLimits(queue?: string): Promise<Record<string, FunctionLimits>> {
    const all = await this.#store.functionLimits();
    if (queue === undefined) return all;
    return Object.fromEntries(
      Object.entries(all).filter(([name]) => this.#definitions.get(name)?.queue === queue),
    );
  }

  async #existing(queue: string, action: string, options: QueueActionOptions): Promise<void> {
    assertQueueName(queue, action);
    if (options.create) return;
    if (!(await this.#store.queues()).includes(queue)) throw new UnknownQueueError(queue, action);
  }

  /**
   * The job events of every process, from the store's shared stream: from the event after
   * `from` (an event id, e.g. a `StoredEvent.id` seen before; default: from now on), until
   * `signal` aborts or the loop breaks. Unlike `on`, it sees what other processes' workers do.
   */
  async *events(
    options: { from?: string; signal?: AbortSignal } = {},
  ): AsyncGenerator<StoredEvent, void, undefined> {
    this.#assertOpen();
    const { signal } = options;
    if (options.from === undefined) {
      const queue: StoredEvent[] = [];
      const arrived = { wake: () => {} };
      const stop = await this.#feed.subscribe((event) => {
        queue.push(event);
        arrived.wake();
      });
      try {
        while (!signal?.aborted && !this.#closed) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => {
              arrived.wake = resolve;
              signal?.addEventListener("abort", () => resolve(), { once: true });
            });
          }
          while (queue.length > 0) yield queue.shift()!;
        }
      } finally {
        stop();
      }
      return;
    }
    let after = options.from;
    while (!signal?.aborted && !this.#closed) {
      const batch = await this.#store.readEvents({
        after,
        waitMs: 1_000,
        ...(signal ? { signal } : {}),
      });
      for (const event of batch.events) yield event;
      after = batch.last;
    }
  }

  /**
   * Calls `listener` with every job event of every process from now on, through the engine's one
   * reader of the shared stream. Resolves once listening, with `after`: the listener gets every
   * event after that id, so events up to it can be read with `readEvents` without a gap or a
   * repeat (a client resuming from an older id does so).
   */
  followEvents(listener: (event: StoredEvent) => void): Promise<FeedSubscription> {
    this.#assertOpen();
    return this.#feed.follow(listener);
  }

  /**
   * A page of the shared event stream: the events after `query.after` (default: none, the newest
   * id only), at most `query.limit`, with `gap` true when the stream no longer holds that id.
   */
  readEvents(query: EventQuery = {}): Promise<EventBatch> {
    return this.#store.readEvents(query);
  }

  /**
   * Metrics of the whole cluster per (queue, lane, function), as the store aggregates them from
   * every node: throughput counts and run and wait histograms (`BUCKET_EDGES_MS`), in total and
   * for each of the newest `minutes` minutes (default 60; a day is kept) that had any.
   */
  metrics(options: { minutes?: number } = {}): Promise<MetricsSnapshot> {
    return this.#store.metrics(options);
  }

  /**
   * Waits for job `id` to finish, whichever process runs it: resolves with its result, or
   * rejects with a `JobFailedError` (it ended dead or cancelled), a `ResultTimeoutError` after
   * `timeoutMs` (default 30,000), or a `JobNotFoundError`.
   */
  result(id: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
    this.#assertOpen();
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
      throw new RangeError(`result: timeoutMs must be a whole number of ms, got ${timeoutMs}`);
    }
    return waitForResult(this.#feed, (job) => this.getJob(job), id, timeoutMs);
  }

  /** The log lines job `id` stored (`ctx.log`), oldest first. */
  async jobLogs(id: string): Promise<JobLogEntry[]> {
    return (await this.#store.jobLogs(id)).map((line) => JSON.parse(line) as JobLogEntry);
  }

  /** Subscribes to a job life-cycle event; returns the unsubscribe function. */
  on<T extends JobEventType>(type: T, listener: JobEventListener<T>): () => void {
    return this.#events.on(type, listener);
  }

  /**
   * Starts a worker in this process. Queues default to those of the registered functions.
   * Stores the cron schedules of the registered functions (keeping their run-time state); the
   * handle's `ready` waits for that too. Returns a handle whose `stop()` lets running jobs finish.
   */
  work(options: WorkOptions = {}): WorkerHandle {
    this.#assertOpen();
    if (!this.#loaded) {
      throw new TypeError("work: the functions are still loading; await engine.ready() first");
    }
    const queues = options.queues ??
      [...new Set([...this.#definitions.values()].map((d) => d.queue))];
    if (queues.length === 0) {
      throw new TypeError("work: no queues given and no functions registered");
    }
    for (const queue of queues) assertQueueName(queue, "work");
    this.#limits.ensure([...this.#definitions.values()]).catch((error) => {
      // the enqueuers of limited jobs send the limits too: a worker only brings changes early
      this.#logger.warn("work: could not send function limits", { error: String(error) });
    });
    const handle = startNode(this.#runtime(), queues, options);
    this.#workers.add(handle);
    const stored = this.schedules.storeDefinitions([...this.#definitions.values()]);
    stored.catch((error) =>
      this.#logger.error("cron schedules could not be stored", { error: String(error) })
    );
    const ready = Promise.all([handle.ready, stored]).then(() => {});
    ready.catch(() => {}); // logged where it failed; whoever awaits `ready` sees the error
    return {
      id: handle.id,
      get isLeader(): boolean {
        return handle.isLeader;
      },
      ready,
      status: () => handle.status(),
      stop: async (opts) => {
        await handle.stop(opts);
        this.#workers.delete(handle);
      },
    };
  }

  /** Stops this engine's workers and closes the store if the engine opened it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#workers].map((w) => w.stop()));
    this.#workers.clear();
    await this.schedules.settled();
    await settleWithin(this.#failures.idle(), CALLBACKS_CLOSE_WAIT_MS);
    await this.#webhook?.close();
    await this.#feed.close();
    if (this.#ownsStore) await this.#store.close();
  }

  /** Stores an ordered call; returns the ids in the caller's item order. */
  async #submit(call: OrderedCall): Promise<string[]> {
    let outcomes: EnqueueOutcome[];
    try {
      outcomes = await this.#storeJobs(call.jobs);
    } catch (error) {
      if (error instanceof DuplicateJobError || error instanceof UnknownPrerequisiteError) {
        throw error.at(call.order[error.index]!);
      }
      throw error;
    }
    const ids = this.#announce(outcomes, call.jobs);
    const inItemOrder: string[] = new Array(ids.length);
    call.order.forEach((item, k) => inItemOrder[item] = ids[k]!);
    return inItemOrder;
  }

  #prepare(
    job: JobRef,
    payload: unknown,
    options: EnqueueOptions | undefined,
    ref?: string,
  ): PreparedJob {
    const definition = this.#definitionOf(job);
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) {
      throw new PayloadValidationError(definition.name, (parsed.error as z.ZodError).issues);
    }
    if (ref !== undefined && jobIdProblem(ref) !== null) {
      throw new TypeError(`ref ${JSON.stringify(ref)} ${jobIdProblem(ref)}`);
    }
    const now = this.#clock.now();
    const resolved = resolveEnqueueOptions(options, definition, now);
    // A delay stays relative, so the store applies it on its own clock (skewed nodes agree).
    const due = options?.runAt !== undefined
      ? { runAt: resolved.runAt }
      : { delay: resolved.runAt - now };
    const unique = resolved.unique ?? definition.unique;
    const prepared: PreparedJob = {
      id: resolved.id,
      name: definition.name,
      queue: resolved.queue,
      lane: resolved.lane,
      // the schema's output: unknown keys stripped (or refused) and defaults filled, as it says
      payload: this.#encoder.encodePayload(definition, parsed.data),
      ...due,
      maxAttempts: resolved.maxAttempts,
      backoff: resolved.backoff ?? null,
      dependsOn: resolved.dependsOn,
      ...(ref === undefined ? {} : { ref }),
    };
    if (resolved.onPrerequisiteFailure !== "fail") {
      prepared.onPrerequisiteFailure = resolved.onPrerequisiteFailure;
    }
    if (unique) prepared.unique = uniqueLock(definition.name, unique, parsed.data);
    if (definition.limits) {
      prepared.limitKey = limitKeyOf(definition.name, definition.limits, parsed.data);
    }
    return prepared;
  }

  #definitionOf(job: JobRef): JobDefinition {
    if (typeof job === "string") {
      const found = this.#definitions.get(job);
      if (!found) throw new UnknownFunctionError(job, this.functionNames());
      return found;
    }
    const definition = definitionOf(job);
    if (!definition) {
      throw new TypeError(
        "enqueue: job must be a definition made by define(), a @job class or a function name",
      );
    }
    return definition;
  }

  #decode = (bytes: Uint8Array): unknown => this.#encoder.decode(bytes).value;

  /**
   * Stores `jobs` as one all-or-none group, the store told their functions' limits first.
   * Concurrent calls share a store call (each still all or none on its own).
   */
  async #storeJobs(jobs: NewJob[]): Promise<EnqueueOutcome[]> {
    await this.#limits.ensure([...this.#definitions.values()]);
    const outcome = await this.#enqueuer.add(jobs);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  #load(functions: EngineOptions["functions"]): void {
    if (functions === undefined) return;
    if (!Array.isArray(functions)) this.#functionSource = functions;
    if (Array.isArray(functions)) {
      this.register(...functions);
    } else if (isFunctionManifest(functions)) {
      this.register(...functionsFromManifest(functions, this.#logger));
    } else if (typeof functions === "string") {
      this.#loaded = false;
      this.#loading = discoverFunctions(functions, this.#logger).then((found) => {
        this.register(...found);
        this.#loaded = true;
      });
      this.#loading.catch(() => {}); // reported by ready(), enqueue and emit
    } else {
      throw new TypeError(
        "createEngine: functions must be an array, a folder path or a generated manifest",
      );
    }
  }

  #announce(
    outcomes: { id: string; created: boolean; state: JobState }[],
    jobs: NewJob[],
  ): string[] {
    if (this.#events.has("enqueued")) {
      const at = this.#clock.now();
      outcomes.forEach((out, i) => {
        const job = jobs[i]!;
        if (!out.created) return;
        this.#events.emit("enqueued", {
          id: out.id,
          name: job.name,
          queue: job.queue,
          lane: job.lane,
          at,
          state: out.state,
          runAt: job.runAt ?? at + (job.delay ?? 0),
        });
      });
    }
    return outcomes.map((o) => o.id);
  }

  #runtime(): WorkerRuntime {
    return {
      store: this.#store,
      encoder: this.#encoder,
      clock: this.#clock,
      logger: this.#logger,
      events: this.#events,
      definition: (name) => this.#definitions.get(name),
      functionNames: () => this.functionNames(),
      functionModules: () => functionModules(this.#functionSource),
      enqueue:
        ((job: JobRef, payload: unknown, options?: EnqueueOptions) =>
          this.enqueue(job as string, payload, options)) as Enqueue,
      graces: this.#graces,
    };
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
