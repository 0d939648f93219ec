/**
 * What a client command acts on: a running Sluice, reached through its gateway's HTTP API
 * (`HttpTarget`) or straight through its Redis (`EngineTarget`). Each command is written once,
 * against `Target`. A private in-process memory store is refused: whatever a command did there
 * would vanish when it exits.
 *
 * @module
 */
import type { z } from "zod";
import type { LeaderInfo, NodeRecord } from "../store/cluster.ts";
import type { QueueCounts } from "../store/store.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { Lane } from "../job/lanes.ts";
import type { JobState } from "../job/states.ts";
import type { BulkItemRequest, EnqueueRequest } from "../gateway/schemas/job.ts";
import type { EmitOptions, JobLogEntry } from "../engine/options.ts";
import type { JobDependencies } from "../graph/dependencies.ts";
import type { PageRequest } from "../graph/page.ts";
import type { JobGraph } from "../graph/walk.ts";
import type { ScheduleRequest } from "../gateway/schemas/schedule.ts";
import type { ScheduleInfo } from "../engine/schedules.ts";
import type { LaneConfig, LaneConfigInput } from "../schedule/lane_config.ts";
import type { FunctionLimits } from "../job/limits.ts";
import { UsageError } from "./flags.ts";

/** One job to enqueue, as `POST /v1/jobs` takes it (checked with the same schema). */
export type JobRequest = z.infer<typeof EnqueueRequest>;

/** One job of a bulk: a `JobRequest` that may carry a `ref` for other items' `dependsOn`. */
export type BulkJobRequest = z.infer<typeof BulkItemRequest>;

/** A job with its prerequisites and first dependents, as `GET /v1/jobs/{id}` answers. */
export type JobDetail = JobInfo & { dependencies: JobDependencies };

/** A schedule to define, as `PUT /v1/schedules/{name}` takes it (checked with that schema). */
export type ScheduleBody = z.infer<typeof ScheduleRequest>;

/** A queue as `GET /v1/queues/{queue}` answers: its depth, configuration and function limits. */
export type QueueDetail = QueueCounts & {
  config: LaneConfig;
  limits: Record<string, FunctionLimits>;
};

/** What a command does to one schedule. */
export type ScheduleAction = "pause" | "resume" | "delete";

/** Which dead jobs: by ids, or by queue (and function). */
export type DeadSelection = { ids: string[] } | { queue: string; function?: string };

/** The nodes of a cluster and its leader. */
export interface ClusterView {
  /** The leader, or null. */
  leader: LeaderInfo | null;
  /** Every recorded node. */
  nodes: NodeRecord[];
}

/** A running Sluice, as client commands see it. */
export interface Target {
  /** Where it is, for messages (a URL, password hidden). */
  readonly where: string;
  /** Enqueues one job; returns its id. */
  enqueue(job: JobRequest): Promise<string>;
  /**
   * Enqueues jobs atomically, refs resolved among them; returns their ids in order. A bad item
   * (a cycle, an unknown prerequisite, a held unique key too) throws a `BulkItemError` naming it.
   */
  enqueueBulk(jobs: BulkJobRequest[]): Promise<string[]>;
  /** Publishes an event; returns the ids of the jobs it made. */
  emit(event: string, payload: unknown, options: EmitOptions): Promise<string[]>;
  /** One job with its prerequisites and first dependents, or null. */
  getJob(id: string): Promise<JobDetail | null>;
  /** The log lines job `id` stored (`ctx.log`), oldest first. */
  jobLogs(id: string): Promise<JobLogEntry[]>;
  /** A page of the dependency graph connected to job `id`. */
  graph(id: string, page: PageRequest): Promise<JobGraph>;
  /** Cancels a job; returns its state after. */
  cancel(id: string): Promise<JobState>;
  /** Runs a dead job again (attempts reset); returns its state after. */
  retry(id: string): Promise<JobState>;
  /** Moves a waiting or delayed job to another lane. */
  setPriority(id: string, lane: Lane): Promise<void>;
  /** Every queue's depth per lane and state. */
  queues(): Promise<QueueCounts[]>;
  /** One queue's depth, configuration and the limits of its functions. */
  queue(queue: string): Promise<QueueDetail>;
  /** Changes a queue's configuration; `create` allows a queue that does not exist yet. */
  configureQueue(queue: string, input: LaneConfigInput, create: boolean): Promise<LaneConfig>;
  /** Pauses or resumes a queue; `create` allows a queue that does not exist yet. */
  setPaused(queue: string, paused: boolean, create: boolean): Promise<void>;
  /** The nodes and the leader. */
  nodes(): Promise<ClusterView>;
  /** Dead jobs, oldest first, at most `limit`. */
  listDead(filter: { queue?: string; function?: string; limit: number }): Promise<JobInfo[]>;
  /** Requeues dead jobs; returns how many. */
  requeueDead(which: DeadSelection): Promise<number>;
  /** Deletes dead jobs; returns how many. */
  purgeDead(which: DeadSelection): Promise<number>;
  /** Every schedule, by name. */
  schedules(): Promise<ScheduleInfo[]>;
  /** Defines schedule `name`; returns it. */
  setSchedule(name: string, schedule: ScheduleBody): Promise<ScheduleInfo>;
  /** Pauses, resumes or deletes a schedule (`ScheduleNotFoundError` when there is none). */
  scheduleAction(name: string, action: ScheduleAction): Promise<void>;
  /** Enqueues a job of a schedule now; returns its id. */
  triggerSchedule(name: string): Promise<string>;
  /** Moves the due time of a waiting, delayed or blocked job; returns its state after. */
  reschedule(id: string, to: { runAt: number } | { delay: number }): Promise<JobState>;
  /** Lets go of connections. */
  close(): Promise<void>;
}

/** Where a client command points, from its options. */
export type TargetChoice = { kind: "http"; url: string } | { kind: "store"; url: string };

/**
 * Chooses the target: `--url` or `--store` (not both), else `SLUICE_URL`, else `REDIS_URL`, else
 * the gateway at `fallbackUrl`. Refuses `memory://` with a message saying what to do instead.
 */
export function chooseTarget(
  given: { url?: string | undefined; store?: string | undefined },
  env: { url?: string | undefined; store?: string | undefined },
  fallbackUrl: string,
  command: string,
): TargetChoice {
  if (given.url !== undefined && given.store !== undefined) {
    throw new UsageError("give --url (a gateway) or --store (its Redis), not both");
  }
  const choice: TargetChoice = given.url !== undefined
    ? { kind: "http", url: given.url }
    : given.store !== undefined
    ? { kind: "store", url: given.store }
    : env.url !== undefined
    ? { kind: "http", url: env.url }
    : env.store !== undefined
    ? { kind: "store", url: env.store }
    : { kind: "http", url: fallbackUrl };
  if (choice.kind === "store" && /^memory:/i.test(choice.url)) throw privateStore(command);
  return choice;
}

/** The refusal of a private memory store, saying how to point at a server instead. */
export function privateStore(command: string): UsageError {
  const reach = command === "worker" || command === "gateway"
    ? "a worker or gateway in another process can never see it. Give it the Redis of your " +
      "Sluice: --store redis://HOST:6379 (REDIS_URL), or run `sluice start` for gateway and " +
      "worker in one process"
    : "whatever this command did there would be gone when it exits. Point it at a running " +
      "Sluice: --url http://HOST:8000 (SLUICE_URL) for its gateway, or --store " +
      "redis://HOST:6379 (REDIS_URL) for its Redis";
  return new UsageError(`memory:// is a store private to one process: ${reach}`);
}
