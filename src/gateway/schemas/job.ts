/**
 * Zod schemas of jobs: the job view (as `engine.getJob` returns it), attempts, and the enqueue
 * requests (one job, or a bulk whose items may depend on each other by `ref`).
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { MAX_PREREQUISITES, PREREQUISITE_FAILURE_POLICIES } from "../../job/dependencies.ts";
import { MAX_SCHEDULE_AHEAD_MS } from "../../job/options.ts";
import { MAX_UNIQUE_KEY_LENGTH, MAX_UNIQUE_WINDOW_MS } from "../../job/unique.ts";
import { Instant, JobId, LaneName, QueueName, StateName } from "./common.ts";

/** A job error. */
export const JobError = z.object({
  name: z.string(),
  message: z.string(),
  stack: z.string().optional(),
}).openapi("JobError");

/** One recorded attempt. */
export const Attempt = z.object({
  attempt: z.number().int(),
  startedAt: z.number().nullable(),
  finishedAt: z.number(),
  worker: z.string().nullable(),
  outcome: z.enum(["completed", "failed", "cancelled", "released", "stalled"]),
  error: JobError.nullable(),
}).openapi("Attempt");

/** A job, payload and result decoded; times are epoch ms. */
export const Job = z.object({
  id: JobId,
  name: z.string(),
  queue: z.string(),
  priority: LaneName,
  state: StateName,
  payload: z.unknown(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  stalls: z.number().int(),
  result: z.unknown(),
  error: JobError.nullable(),
  enqueuedAt: z.number(),
  runAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  worker: z.string().nullable(),
  cancelRequested: z.boolean(),
  history: z.array(Attempt),
  requestedPriority: LaneName.nullable().openapi({
    description: "the lane it was enqueued in, when a waiting dependent raised `priority`",
  }),
  prerequisites: z.array(JobId).openapi({ description: "ids of its prerequisites, as given" }),
  openPrerequisites: z.number().int().openapi({ description: "prerequisites it still waits on" }),
  dependents: z.number().int().openapi({ description: "how many jobs depend on it" }),
  onPrerequisiteFailure: z.enum(PREREQUISITE_FAILURE_POLICIES),
  uniqueKey: z.string().nullable(),
  throttledBy: z.string().nullable().openapi({
    description: "the limit holding it back while it waits (function name, or `name|key`)",
  }),
  progress: z.object({
    percent: z.number().min(0).max(100),
    message: z.string().optional(),
  }).nullable().openapi({ description: "the latest `ctx.progress` it reported, from any node" }),
}).openapi("Job");

/** A page of jobs. */
export const JobPage = z.object({
  jobs: z.array(Job),
  nextCursor: z.string().nullable(),
}).openapi("JobPage");

/** The `unique` option over HTTP: the key is a string. */
export const UniqueRequest = z.strictObject({
  key: z.string().min(1).max(MAX_UNIQUE_KEY_LENGTH).openapi({
    description: "the key; a job's full key is `<function>:<key>`",
  }),
  scope: z.union([
    z.enum(["queued", "active", "until-complete"]),
    z.number().int().min(1).max(MAX_UNIQUE_WINDOW_MS),
  ]).optional().openapi({ description: "how long the key is held (default `active`), or ms" }),
  onConflict: z.enum(["reject", "return-existing", "replace"]).optional().openapi({
    description: "what an enqueue meeting a held key does (default `reject`: a 409)",
  }),
}).openapi("UniqueOptions");

/** Enqueue options (see `EnqueueOptions`); unknown options are refused. */
export const EnqueueOptions = z.strictObject({
  queue: QueueName.optional(),
  priority: LaneName.optional(),
  delay: z.number().min(0).max(MAX_SCHEDULE_AHEAD_MS).optional().openapi({
    description: "ms from now, at most a year",
  }),
  runAt: Instant.optional(),
  id: JobId.optional().openapi({ description: "idempotency key: the same id stores nothing" }),
  attempts: z.number().int().min(1).optional(),
  retry: z.looseObject({
    attempts: z.number().int().min(1).optional(),
    backoff: z.looseObject({ type: z.enum(["fixed", "exponential", "schedule"]) }).optional(),
  }).optional(),
  dependsOn: z.array(JobId).max(MAX_PREREQUISITES).optional().openapi({
    description: "prerequisites: ids of existing jobs, or (in a bulk) refs of its items; the " +
      "job is `blocked` until they complete",
  }),
  onPrerequisiteFailure: z.enum(PREREQUISITE_FAILURE_POLICIES).optional().openapi({
    description: "what a dead or cancelled prerequisite does to the job (default `fail`)",
  }),
  unique: UniqueRequest.optional(),
}).openapi("EnqueueOptions");

/** One job to enqueue. */
export const EnqueueRequest = z.object({
  job: z.string().min(1).openapi({ example: "send-welcome-email", description: "function name" }),
  payload: z.unknown().optional().openapi({
    example: { to: "ada@example.com", name: "Ada" },
    description: "checked against the function's payload schema",
  }),
  options: EnqueueOptions.optional(),
}).openapi("EnqueueRequest");

/** One job of a bulk: it may carry a `ref`, which other items list in `options.dependsOn`. */
export const BulkItemRequest = EnqueueRequest.extend({
  ref: JobId.optional().openapi({
    example: "resize-1",
    description: "a name for this item within the call, for other items' `options.dependsOn`",
  }),
}).openapi("BulkEnqueueItem");

/** Many jobs to enqueue atomically. */
export const BulkRequest = z.object({
  jobs: z.array(BulkItemRequest).min(1).max(10_000),
}).openapi("BulkEnqueueRequest");
