/**
 * `EngineTarget`: a running Sluice reached straight through its store (Redis), with an engine of
 * this process that validates and encodes like the gateway's. `openStoreTarget` connects it, a
 * bounded time, with the functions it needs to check payloads.
 *
 * @module
 */
import { createEngine, type Engine } from "../engine.ts";
import type { EmitOptions, JobLogEntry } from "../engine/options.ts";
import type { EnqueueOptions } from "../job/options.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { PageRequest } from "../graph/page.ts";
import type { JobGraph } from "../graph/walk.ts";
import type { Lane } from "../job/lanes.ts";
import type { Logger } from "../job/logger.ts";
import type { JobState } from "../job/states.ts";
import { connectStore } from "../store/open_store.ts";
import { redactUrl } from "../store/redis/connection.ts";
import type { QueueCounts, Store } from "../store/store.ts";
import { BulkItemError, JobNotFoundError } from "../job/errors.ts";
import { DuplicateJobError, UnknownPrerequisiteError } from "../job/enqueue_errors.ts";
import { functionSource } from "./function_source.ts";
import { ScheduleNotFoundError } from "../job/schedule_errors.ts";
import type { ScheduleInfo, ScheduleJobOptions } from "../engine/schedules.ts";
import type { LaneConfig, LaneConfigInput } from "../schedule/lane_config.ts";
import type {
  BulkJobRequest,
  ClusterView,
  DeadSelection,
  JobDetail,
  JobRequest,
  QueueDetail,
  ScheduleAction,
  ScheduleBody,
  Target,
} from "./target.ts";

/** A Sluice reached through `engine` (and its store, closed with it when `ownStore`). */
export class EngineTarget implements Target {
  readonly where: string;
  #engine: Engine;
  #store: Store | null;

  /** A target on `engine`; `store` is closed after the engine when given. */
  constructor(engine: Engine, where: string, store: Store | null = null) {
    this.#engine = engine;
    this.where = where;
    this.#store = store;
  }

  enqueue(job: JobRequest): Promise<string> {
    return this.#engine.enqueue(job.job, job.payload, job.options as EnqueueOptions | undefined);
  }

  async enqueueBulk(jobs: BulkJobRequest[]): Promise<string[]> {
    try {
      return await this.#engine.enqueueBulk(jobs.map((j) => ({
        job: j.job,
        payload: j.payload,
        ...(j.options ? { options: j.options as EnqueueOptions } : {}),
        ...(j.ref !== undefined ? { ref: j.ref } : {}),
      })));
    } catch (error) {
      if (error instanceof DuplicateJobError || error instanceof UnknownPrerequisiteError) {
        throw new BulkItemError(error.index, error);
      }
      throw error;
    }
  }

  emit(event: string, payload: unknown, options: EmitOptions): Promise<string[]> {
    return this.#engine.emit(event, payload, options);
  }

  async getJob(id: string): Promise<JobDetail | null> {
    const job = await this.#engine.getJob(id);
    return job && { ...job, dependencies: await this.#engine.dependencies(id) };
  }

  jobLogs(id: string): Promise<JobLogEntry[]> {
    return this.#engine.jobLogs(id);
  }

  graph(id: string, page: PageRequest): Promise<JobGraph> {
    return this.#engine.graph(id, page);
  }

  cancel(id: string): Promise<JobState> {
    return this.#engine.cancel(id);
  }

  async retry(id: string): Promise<JobState> {
    await this.#engine.deadLetters.requeue(id);
    const job = await this.#engine.getJob(id);
    if (!job) throw new JobNotFoundError(id);
    return job.state;
  }

  setPriority(id: string, lane: Lane): Promise<void> {
    return this.#engine.changePriority(id, lane);
  }

  async queues(): Promise<QueueCounts[]> {
    const all = await this.#engine.counts();
    return Object.keys(all).sort().map((name) => all[name]!);
  }

  async queue(queue: string): Promise<QueueDetail> {
    const [counts, config, limits] = await Promise.all([
      this.#engine.counts(queue),
      this.#engine.queueConfig(queue),
      this.#engine.functionLimits(queue),
    ]);
    return { ...counts, config, limits };
  }

  configureQueue(queue: string, input: LaneConfigInput, create: boolean): Promise<LaneConfig> {
    return this.#engine.configureQueue(queue, input, { create });
  }

  setPaused(queue: string, paused: boolean, create: boolean): Promise<void> {
    return paused ? this.#engine.pause(queue, { create }) : this.#engine.resume(queue, { create });
  }

  async nodes(): Promise<ClusterView> {
    const [nodes, leader] = await Promise.all([this.#engine.nodes(), this.#engine.leader()]);
    return { leader, nodes };
  }

  async listDead(filter: { queue?: string; function?: string; limit: number }): Promise<JobInfo[]> {
    const jobs: JobInfo[] = [];
    const queues = filter.queue ? [filter.queue] : (await this.#engine.queues()).sort();
    for (const queue of queues) {
      if (jobs.length >= filter.limit) break;
      const page = await this.#engine.deadLetters.list({
        queue,
        limit: filter.limit - jobs.length,
        ...(filter.function ? { name: filter.function } : {}),
      });
      jobs.push(...page.jobs);
    }
    return jobs;
  }

  async requeueDead(which: DeadSelection): Promise<number> {
    if ("ids" in which) {
      for (const id of which.ids) await this.#engine.deadLetters.requeue(id);
      return which.ids.length;
    }
    return await this.#engine.deadLetters.requeueMany(filterOf(which));
  }

  async purgeDead(which: DeadSelection): Promise<number> {
    if (!("ids" in which)) return await this.#engine.deadLetters.purge(filterOf(which));
    let count = 0;
    for (const id of which.ids) count += await this.#engine.deadLetters.purge(id);
    return count;
  }

  schedules(): Promise<ScheduleInfo[]> {
    return this.#engine.schedules.list();
  }

  setSchedule(name: string, schedule: ScheduleBody): Promise<ScheduleInfo> {
    const { options, ...spec } = schedule;
    return this.#engine.schedules.set(name, {
      ...spec,
      ...(options ? { options: options as ScheduleJobOptions } : {}),
    });
  }

  async scheduleAction(name: string, action: ScheduleAction): Promise<void> {
    if (action !== "delete") await this.#engine.schedules[action](name);
    else if (!(await this.#engine.schedules.delete(name))) throw new ScheduleNotFoundError(name);
  }

  triggerSchedule(name: string): Promise<string> {
    return this.#engine.schedules.trigger(name);
  }

  reschedule(id: string, to: { runAt: number } | { delay: number }): Promise<JobState> {
    return this.#engine.reschedule(id, to);
  }

  async close(): Promise<void> {
    await this.#engine.close();
    await this.#store?.close();
  }
}

function filterOf(which: { queue: string; function?: string }) {
  return { queue: which.queue, ...(which.function ? { name: which.function } : {}) };
}

/** Settings of a store target. */
export interface StoreTargetConfig {
  /** Redis URL. */
  url: string;
  /** Key namespace. */
  namespace: string;
  /** How long to wait for Redis (ms). */
  connectTimeoutMs: number;
  /** The functions folder, when the command checks payloads (enqueue, emit). */
  functions?: string;
  /** Where the engine logs (function-file warnings). */
  logger: Logger;
}

/** Connects to the store of `config` (bounded) and opens an engine on it. */
export async function openStoreTarget(config: StoreTargetConfig): Promise<EngineTarget> {
  const store = await connectStore(config.url, {
    namespace: config.namespace,
    logger: config.logger,
    connectTimeoutMs: config.connectTimeoutMs,
  });
  try {
    const functions = config.functions === undefined
      ? undefined
      : await functionSource(config.functions, config.logger);
    const engine = createEngine({
      store,
      logger: config.logger,
      ...(functions !== undefined ? { functions } : {}),
    });
    await engine.ready();
    return new EngineTarget(engine, redactUrl(config.url), store);
  } catch (error) {
    await store.close();
    throw error;
  }
}
