/**
 * The option and result types of the engine's API: `createEngine` options, `emit` and queue
 * action options, bulk items, alert statistics, log lines and pages of jobs.
 *
 * @module
 */
import type { EncodingDefaults } from "../codec/payload_encoder.ts";
import type { Clock } from "../job/clock.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { Logger } from "../job/logger.ts";
import type { EnqueueOptions } from "../job/options.ts";
import type { JobDefinition } from "../registry/definition.ts";
import type { JobClass, JobRef } from "../registry/job_ref.ts";
import type { FunctionManifest } from "../registry/manifest.ts";
import type { Store } from "../store/store.ts";
import type { FailureHook } from "../registry/failure_options.ts";
import type { FailureHookStats } from "../alerts/failure_hooks.ts";
import type { WebhookOptions } from "../alerts/webhook_options.ts";
import type { WebhookStats } from "../alerts/webhook.ts";

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
