/**
 * Sluice: a typed, fair, failure-safe job queue engine for Deno.
 *
 * Define a job function with a zod payload schema, enqueue typed jobs into priority lanes, and
 * run them with workers on an in-memory store (tests, local runs) or on Redis (production).
 *
 * @example Enqueue a job and run it
 * ```ts
 * import { z } from "zod";
 * import { createEngine, define } from "./mod.ts";
 *
 * const Resize = define(
 *   { name: "resize", payload: z.object({ url: z.string(), width: z.number() }), priority: "high" },
 *   ({ url, width }) => ({ resized: `${url}@${width}` }),
 * );
 *
 * const engine = createEngine({ store: "memory://", functions: [Resize] });
 * const worker = engine.work({ concurrency: 4 });
 * const id = await engine.enqueue(Resize, { url: "/cat.png", width: 200 });
 * await new Promise((done) => engine.on("completed", (e) => e.id === id && done(e)));
 * console.log((await engine.getJob(id))?.result); // { resized: "/cat.png@200" }
 * await worker.stop();
 * await engine.close();
 * ```
 *
 * @example A function file (`functions/resize.ts`), found by `functions: "./functions"`
 * ```ts
 * import { z } from "zod";
 * import { job, type JobContext } from "./mod.ts";
 *
 * const Payload = z.object({ url: z.string(), width: z.number() });
 *
 * @job({ name: "resize", payload: Payload, queue: "images", codec: "msgpack" })
 * export class Resize {
 *   run({ url, width }: z.infer<typeof Payload>, ctx: JobContext): { resized: string } {
 *     ctx.progress(100);
 *     return { resized: `${url}@${width}` };
 *   }
 * }
 * ```
 *
 * The store seam and the stores (`MemoryStore`, `RedisStore`) are in `./store.ts`, codecs in
 * `./codec.ts`, the HTTP gateway in `./gateway.ts`, and the testing kit in `./testing.ts`.
 *
 * @module
 */

export { createEngine, Engine } from "./src/engine.ts";
export type {
  AlertStats,
  BulkItem,
  EmitOptions,
  EngineOptions,
  JobInfoPage,
  JobLogEntry,
  QueueActionOptions,
} from "./src/engine/options.ts";
export {
  define,
  type DefineOptions,
  DEFINITION,
  type JobContext,
  type JobDefinition,
  type JobHandler,
} from "./src/registry/definition.ts";
export { job, type JobClassFor, type JobDecorator } from "./src/registry/job_decorator.ts";
export type { Enqueue, JobClass, JobRef, PayloadOf, ResultOf } from "./src/registry/job_ref.ts";
export type { JobLog } from "./src/registry/job_log.ts";
export type { Migration, Migrations } from "./src/registry/versions.ts";
export type { FunctionManifest } from "./src/registry/manifest.ts";
export type { CodecName } from "./src/codec/codec.ts";
export type { CompressionName } from "./src/codec/compression.ts";
export type { EncodingDefaults } from "./src/codec/payload_encoder.ts";
export type { EnqueueOptions, EnqueueRetry } from "./src/job/options.ts";
export type { JobInfo } from "./src/job/job_info.ts";
export type { JobErrorInfo } from "./src/job/job.ts";
export { type Lane, LANES } from "./src/job/lanes.ts";
export { JOB_STATES, type JobState } from "./src/job/states.ts";
export type { Clock } from "./src/job/clock.ts";
export {
  createLogger,
  type LogFormat,
  type Logger,
  type LogLevel,
  type LogOptions,
  silentLogger,
} from "./src/job/logger.ts";
export type { JobEventBase, JobEventListener, JobEvents, JobEventType } from "./src/job/events.ts";
export type { LeaderTiming } from "./src/cluster/leader_elector.ts";
export {
  BulkItemError,
  InvalidStateError,
  JobNotFoundError,
  PayloadMigrationError,
  PayloadTooLargeError,
  PayloadValidationError,
  PayloadVersionError,
  RateLimitError,
  ResultValidationError,
  SluiceError,
  SnoozeError,
  StoreAccessError,
  StoreFullError,
  StoreUnavailableError,
  UnknownFunctionError,
  UnknownQueueError,
  UnrecoverableError,
  type ValidationIssue,
} from "./src/job/errors.ts";
export { TimeoutError } from "./src/worker/isolate_errors.ts";
export { DuplicateJobError, UnknownPrerequisiteError } from "./src/job/enqueue_errors.ts";
export { JobFailedError, ResultTimeoutError } from "./src/events/job_result.ts";
export { ScheduleNotFoundError } from "./src/job/schedule_errors.ts";
export {
  type Backoff,
  type BackoffFunction,
  type DeclarativeBackoff,
  exponential,
  type ExponentialBackoff,
  fixed,
  type FixedBackoff,
  type Jitter,
  type RandomSource,
  type RetryOptions,
  schedule,
  type ScheduleBackoff,
} from "./src/schedule/retry_policy.ts";
export type { AttemptOutcomeName, AttemptRecord } from "./src/job/attempt_history.ts";
export type {
  FailureHook,
  FailureOptions,
  FailureSettings,
} from "./src/registry/failure_options.ts";
export type { FailureHooks, FailureHookStats } from "./src/alerts/failure_hooks.ts";
export type { AlertEvent, WebhookStats } from "./src/alerts/webhook.ts";
export type { AlertEventType, WebhookOptions } from "./src/alerts/webhook_options.ts";
export { SIGNATURE_HEADER, verifyWebhookSignature } from "./src/alerts/signature.ts";
export type {
  DeadLetterFilter,
  DeadLetterListQuery,
  DeadLetterPage,
  DeadLetterQueue,
} from "./src/engine/dead_letter_queue.ts";
export {
  PREREQUISITE_FAILURE_POLICIES,
  type PrerequisiteFailurePolicy,
  type PrerequisiteResult,
} from "./src/job/dependencies.ts";
export type { UniqueConflict, UniqueOptions, UniqueScope } from "./src/job/unique.ts";
export type {
  ConcurrencyLimitOptions,
  DefinitionLimits,
  FunctionLimits,
  RateLimit,
  RateLimitOptions,
} from "./src/job/limits.ts";
export type { LaneConfig, LaneConfigInput } from "./src/schedule/lane_config.ts";
export type { JobDependencies } from "./src/graph/dependencies.ts";
export type { JobLink } from "./src/graph/job_link.ts";
export type { PageRequest } from "./src/graph/page.ts";
export type { GraphEdge, JobGraph } from "./src/graph/walk.ts";
export type {
  ScheduleInfo,
  ScheduleJobOptions,
  Schedules,
  ScheduleSpec,
} from "./src/engine/schedules.ts";
export type { CheckedCronEntry, CronEntry } from "./src/registry/cron_entries.ts";
export { CATCH_UP_POLICIES, type CatchUpPolicy } from "./src/schedule/catch_up.ts";
export type { RescheduleTo } from "./src/job/reschedule.ts";
export type { FeedSubscription } from "./src/events/event_feed.ts";
export type {
  EventBatch,
  EventQuery,
  Histogram,
  MetricGroup,
  MetricsSnapshot,
  StoredEvent,
  StoredEventType,
} from "./src/store/observations.ts";
export type { LeaderInfo, NodeRecord } from "./src/store/cluster.ts";
export type { JobListQuery, QueueCounts, Store } from "./src/store/store.ts";
export type { WorkOptions } from "./src/worker/node_options.ts";
export type { WorkerHandle } from "./src/worker/worker_node.ts";
export type { NodeStatus } from "./src/worker/node_presence.ts";
