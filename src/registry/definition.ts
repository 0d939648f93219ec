/**
 * Job definitions: `define(options, handler)` makes the object that names a function, its payload
 * schema, where its jobs go, how they are encoded and how they run. The `@job` class decorator
 * (`job_decorator.ts`) builds the same object.
 *
 * @module
 */
import type { z } from "zod";
import { assertCodecName } from "../codec/codecs.ts";
import type { CodecName } from "../codec/codec.ts";
import { assertCompressionName, type CompressionName } from "../codec/compression.ts";
import { DEFAULT_LANE, isLane, type Lane } from "../job/lanes.ts";
import { assertQueueName, DEFAULT_QUEUE } from "../job/queue_name.ts";
import { assertAttempts, DEFAULT_ATTEMPTS } from "../job/attempts.ts";
import type { Enqueue, JobClass, ResultOf } from "./job_ref.ts";
import type { PrerequisiteResult } from "../job/dependencies.ts";
import type { JobLog } from "./job_log.ts";
import { checkUniqueOptions, type UniqueOptions } from "../job/unique.ts";
import {
  checkLimitOptions,
  type ConcurrencyLimitOptions,
  type DefinitionLimits,
  type RateLimitOptions,
} from "../job/limits.ts";
import { checkVersioning, type Migrations } from "./versions.ts";
import { checkCronEntries, type CheckedCronEntry, type CronEntry } from "./cron_entries.ts";
import {
  checkFailureOptions,
  FAILURE_OPTION_NAMES,
  type FailureOptions,
  type FailureSettings,
} from "./failure_options.ts";

/**
 * What a handler gets besides its payload. Read its members, or destructure them (each function
 * works on its own); `signal`, `log`, `progress` and `resultsOf` are made when first read, so a
 * copy made with spread (`{ ...ctx }`) does not carry them: pass `ctx` itself on.
 */
export interface JobContext {
  /** The job id. */
  readonly id: string;
  /** The function name. */
  readonly name: string;
  /** The queue. */
  readonly queue: string;
  /** The lane the job was dispatched from. */
  readonly lane: Lane;
  /** Which attempt this is (1 for the first run). */
  readonly attempt: number;
  /** Attempts allowed in all. */
  readonly maxAttempts: number;
  /** When the job was due to run (its run time; a cron tick's scheduled time), epoch ms. */
  readonly scheduledAt: number;
  /**
   * Its prerequisites in the order given, with their results: completed ones, and failed ones
   * that policy `skip` let through (result null).
   */
  readonly prerequisites: readonly PrerequisiteResult[];
  /**
   * The results of its completed prerequisites of function `fn` (a definition or `@job` class),
   * typed as `fn` returns them.
   */
  // deno-lint-ignore no-explicit-any
  resultsOf<D extends JobDefinition<any, any> | JobClass>(fn: D): ResultOf<D>[];
  /** Aborted at the `timeout`, or when the job is cancelled, its lease is lost, or the worker stops. */
  readonly signal: AbortSignal;
  /**
   * The job's logger: `ctx.log(message, fields?)` (info), or `ctx.log.warn(...)` and the other
   * levels. Lines are tagged with the job in the node's log and stored with the job, which the
   * API and `sluice inspect` show.
   */
  readonly log: JobLog;
  /** Reports progress (0-100, with an optional note) as a `progress` engine event. */
  progress(percent: number, message?: string): void;
  /** Enqueues a follow-up job, exactly like `engine.enqueue`. */
  readonly enqueue: Enqueue;
  /**
   * Ends this attempt and runs the job again in `delayMs` without spending an attempt (it
   * throws a `SnoozeError`: call it as `return ctx.snooze(5_000)` or `throw new SnoozeError(...)`).
   */
  snooze(delayMs: number): never;
  /**
   * The remote side asked to slow down (an HTTP 429): the job goes back to its place without
   * spending an attempt, and its function (or its limit key) starts no job for `delayMs` on any
   * node (it throws a `RateLimitError`: call it as `return ctx.rateLimit(2_000)`).
   */
  rateLimit(delayMs: number): never;
}

/** A job function: returns its result (or a promise of it); throws to fail the attempt. */
export type JobHandler<P, R> = (payload: P, ctx: JobContext) => R | Promise<R>;

/** Options of `define` and `@job`. An option not listed here is an error. */
export interface DefineOptions<S extends z.ZodType> extends FailureOptions {
  /** Unique function name, e.g. `"send-email"`. */
  name: string;
  /** Zod schema of the payload; enqueue validates against it, and so does the worker. */
  payload: S;
  /** Zod schema of the result; a result it rejects fails the job without retry. */
  result?: z.ZodType;
  /** Queue its jobs go to (default `"default"`). */
  queue?: string;
  /** Lane its jobs go to (default `"normal"`). */
  priority?: Lane;
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Payload version this code expects (default 1); older jobs are migrated up to it. */
  version?: number;
  /** Migrations keyed by the version they upgrade from: `{ 1: (v1) => v2 }`. */
  migrations?: Migrations;
  /** Codec of its payloads and results (default: the engine's, itself `"json"` by default). */
  codec?: CodecName;
  /** Compression of its payloads and results (default: the engine's, itself `"none"`). */
  compression?: CompressionName;
  /** Event names: `engine.emit(name, payload)` enqueues a job of this function. */
  on?: readonly string[];
  /** Uniqueness of its jobs (an enqueue's own `unique` option overrides it). */
  unique?: UniqueOptions<z.output<S>>;
  /**
   * At most `max` starts per `duration` ms across every node, per `key(payload)` when given
   * (e.g. a tenant id). Jobs over the limit wait in line, set aside, without holding back others.
   */
  rateLimit?: RateLimitOptions<z.output<S>>;
  /** At most `max` jobs running at once across every node, per `key(payload)` when given. */
  concurrencyLimit?: ConcurrencyLimitOptions<z.output<S>>;
  /** Cron schedules of this function, stored by the engine when it starts work. */
  cron?: readonly CronEntry<z.input<S>>[];
}

/** Brand of the objects `define` makes (a registered symbol, so copies of Sluice agree). */
export const DEFINITION: unique symbol = Symbol.for("sluice.definition") as never;

/** A registered kind of job. `S` is the payload schema, `R` the handler's result. */
export interface JobDefinition<S extends z.ZodType = z.ZodType, R = unknown>
  extends FailureSettings {
  /** Function name. */
  readonly name: string;
  /** Payload schema. */
  readonly payload: S;
  /** Result schema, if any. */
  readonly result: z.ZodType | undefined;
  /** Default queue. */
  readonly queue: string;
  /** Default lane. */
  readonly priority: Lane;
  /** Default attempts. */
  readonly attempts: number;
  /** Payload version this code expects. */
  readonly version: number;
  /** Migrations from older payload versions. */
  readonly migrations: Migrations;
  /** Codec, or undefined for the engine's default. */
  readonly codec: CodecName | undefined;
  /** Compression, or undefined for the engine's default. */
  readonly compression: CompressionName | undefined;
  /** Event names this function listens to. */
  readonly on: readonly string[];
  /** Uniqueness of its jobs, if any. */
  readonly unique: UniqueOptions | undefined;
  /** Its rate and concurrency limits, if any. */
  readonly limits: DefinitionLimits | undefined;
  /** Its cron schedules, checked. */
  readonly cron: readonly CheckedCronEntry[];
  /** The handler. */
  readonly handler: JobHandler<z.output<S>, R>;
  /** Brand: made by `define`. */
  readonly [DEFINITION]: true;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$/;
const KNOWN_OPTIONS = new Set([
  "name",
  "payload",
  "result",
  "queue",
  "priority",
  "attempts",
  "version",
  "migrations",
  "codec",
  "compression",
  "on",
  "unique",
  "rateLimit",
  "concurrencyLimit",
  "cron",
  ...FAILURE_OPTION_NAMES,
]);

/** Defines a job function. Options are checked now: a bad one throws, naming the function. */
export function define<S extends z.ZodType, R>(
  options: DefineOptions<S>,
  handler: JobHandler<z.output<S>, R>,
): JobDefinition<S, R> {
  return buildDefinition(options, handler, "define");
}

/** `define` with the caller's name (`define`, `@job`) in error messages. */
export function buildDefinition<S extends z.ZodType, R>(
  options: DefineOptions<S>,
  handler: JobHandler<z.output<S>, R>,
  caller: string,
): JobDefinition<S, R> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${caller}: options must be an object`);
  }
  const name = options.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new TypeError(
      `${caller}: invalid function name ${JSON.stringify(name)}: use 1-128 letters, digits, ` +
        "'_.:-', starting with a letter or digit",
    );
  }
  const where = `${caller}(${JSON.stringify(name)})`;
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new TypeError(
        `${where}: unknown option ${JSON.stringify(key)} (known: ${[...KNOWN_OPTIONS].join(", ")})`,
      );
    }
  }
  assertSchema(options.payload, `${where}: payload`);
  if (options.result !== undefined) assertSchema(options.result, `${where}: result`);
  const queue = options.queue ?? DEFAULT_QUEUE;
  assertQueueName(queue, `${where}: queue`);
  const priority = options.priority ?? DEFAULT_LANE;
  if (!isLane(priority)) {
    throw new TypeError(`${where}: priority must be a lane name, got ${JSON.stringify(priority)}`);
  }
  const { attempts: retryAttempts, ...failure } = checkFailureOptions(options, where);
  const attempts = retryAttempts ?? options.attempts ?? DEFAULT_ATTEMPTS;
  assertAttempts(attempts, where);
  const { version, migrations } = checkVersioning(options.version, options.migrations, where);
  if (options.codec !== undefined) assertCodecName(options.codec, where);
  if (options.compression !== undefined) assertCompressionName(options.compression, where);
  const on = checkEventNames(options.on, where);
  const unique = options.unique === undefined
    ? undefined
    : checkUniqueOptions(options.unique, where);
  const limits = checkLimitOptions(options.rateLimit, options.concurrencyLimit, where);
  const cron = checkCronEntries(options.cron, name, options.payload, where);
  if (typeof handler !== "function") throw new TypeError(`${where}: handler must be a function`);
  return Object.freeze({
    name,
    payload: options.payload,
    result: options.result,
    queue,
    priority,
    attempts,
    version,
    migrations,
    codec: options.codec,
    compression: options.compression,
    on,
    unique,
    limits,
    cron,
    ...failure,
    handler,
    [DEFINITION]: true as const,
  });
}

/** True when `value` was made by `define` (or `@job`). */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[DEFINITION] === true;
}

/** Throws a `TypeError` naming `where` unless `value` names events: `"user.created"`, ... */
export function assertEventName(value: unknown, where: string): asserts value is string {
  if (typeof value !== "string" || !NAME.test(value)) {
    throw new TypeError(
      `${where}: invalid event name ${JSON.stringify(value)}: use 1-128 letters, digits, ` +
        "'_.:-', starting with a letter or digit",
    );
  }
}

function checkEventNames(on: unknown, where: string): readonly string[] {
  if (on === undefined) return Object.freeze([]);
  if (!Array.isArray(on)) {
    throw new TypeError(`${where}: on must be an array of event names, got ${JSON.stringify(on)}`);
  }
  for (const event of on) assertEventName(event, `${where}: on`);
  return Object.freeze([...new Set(on as string[])]);
}

function assertSchema(value: unknown, where: string): void {
  if (typeof (value as { safeParse?: unknown })?.safeParse !== "function") {
    throw new TypeError(`${where} must be a zod schema`);
  }
}
