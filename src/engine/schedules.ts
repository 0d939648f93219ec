/**
 * Cron schedules as the engine offers them (`engine.schedules`): define one at run time, read,
 * list, pause, resume, trigger and delete them. Schedules live in the store, so every node and
 * the gateway see the same ones; the leader fires them (see `cluster/cron_ticker.ts`). Schedules
 * defined in code (`define({ cron: [...] })`) are stored when the engine starts work
 * (`engine.work`): their definition is written again, their run-time state (paused, next,
 * lastFiredAt) kept.
 *
 * @module
 */
import type { z } from "zod";
import { PayloadValidationError } from "../job/errors.ts";
import { newJobId } from "../job/ids.ts";
import type { Lane } from "../job/lanes.ts";
import type { Clock } from "../job/clock.ts";
import { type EnqueueOptions, resolveEnqueueOptions } from "../job/options.ts";
import { assertScheduleName, ScheduleNotFoundError } from "../job/schedule_errors.ts";
import { uniqueLock } from "../job/unique.ts";
import { limitKeyOf } from "../job/limits.ts";
import type { JobDefinition } from "../registry/definition.ts";
import type { JobRef } from "../registry/job_ref.ts";
import { assertCatchUp, type CatchUpPolicy } from "../schedule/catch_up.ts";
import { CronPattern, DEFAULT_TIME_ZONE, storedPattern } from "../schedule/cron.ts";
import { triggerJob } from "../cluster/tick_jobs.ts";
import type { ScheduleDefinition, StoredSchedule } from "../store/schedule_store.ts";
import type { NewJob, Store } from "../store/store.ts";

/** The enqueue options a schedule's jobs take. */
export type ScheduleJobOptions = Pick<
  EnqueueOptions,
  "queue" | "priority" | "attempts" | "retry" | "unique"
>;

/** A schedule, as `engine.schedules.set` takes it. */
export interface ScheduleSpec {
  /** The function, by definition, `@job` class or name. */
  job: JobRef;
  /** Cron pattern: 5 fields, or 6 with seconds first, or an alias such as `@daily`. */
  pattern: string;
  /** IANA time zone its wall times are read in (default `"UTC"`). */
  tz?: string;
  /** The payload of every tick, checked against the function's schema (default none). */
  payload?: unknown;
  /** Options of its jobs (default: the function's). */
  options?: ScheduleJobOptions;
  /** What it fires after downtime: `"skip"` (default), `"one"` or `"all"`. */
  catchUp?: CatchUpPolicy;
}

/** A schedule as `get` and `list` show it. Times are epoch ms. */
export interface ScheduleInfo {
  /** Schedule name. */
  name: string;
  /** Function name. */
  job: string;
  /** Cron pattern. */
  pattern: string;
  /** Time zone. */
  tz: string;
  /** Catch-up policy. */
  catchUp: CatchUpPolicy;
  /** Paused: nothing fires. */
  paused: boolean;
  /** Its next 5 fire times (none while paused). */
  next: number[];
  /** The latest tick fired, or null. */
  lastFiredAt: number | null;
  /** Queue of its jobs. */
  queue: string;
  /** Lane of its jobs. */
  priority: Lane;
  /** The payload of every tick, decoded. */
  payload: unknown;
}

/** What the schedules need of the engine. */
export interface ScheduleHost {
  /** The store. */
  store: Store;
  /** The engine's clock. */
  clock: Clock;
  /** The definition of `job`; throws `UnknownFunctionError` for an unknown name. */
  definition(job: JobRef): JobDefinition;
  /** Encodes a payload of `definition`. */
  encode(definition: JobDefinition, payload: unknown): Uint8Array;
  /** Decodes a stored payload. */
  decode(bytes: Uint8Array): unknown;
  /** Stores jobs (with the engine's events); returns their ids. */
  enqueue(jobs: NewJob[]): Promise<string[]>;
  /** Resolves once the engine's functions are loaded. */
  loaded(): Promise<void>;
}

const JOB_OPTIONS = new Set(["queue", "priority", "attempts", "retry", "unique"]);
const SPEC = new Set(["job", "pattern", "tz", "payload", "options", "catchUp"]);

/** Cron schedules of one engine. */
export class Schedules {
  #host: ScheduleHost;
  /** Definitions whose cron entries are stored, and the storing in progress. */
  #stored = new Set<JobDefinition>();
  #storing: Promise<void> = Promise.resolve();

  /** Works for the engine `host` describes. */
  constructor(host: ScheduleHost) {
    this.#host = host;
  }

  /**
   * Defines schedule `name` (or redefines it, keeping it paused if it was, and its next fire
   * time unless the pattern or zone changed). The pattern, zone and payload are checked first:
   * a bad one throws (`RangeError`, `TypeError`, `PayloadValidationError`) and nothing is stored.
   */
  async set(name: string, spec: ScheduleSpec): Promise<ScheduleInfo> {
    assertScheduleName(name, "schedules.set");
    if (typeof spec !== "object" || spec === null) {
      throw new TypeError(
        "schedules.set: give { job, pattern, tz?, payload?, options?, catchUp? }",
      );
    }
    for (const key of Object.keys(spec)) {
      if (!SPEC.has(key)) {
        throw new TypeError(`schedules.set: unknown option ${JSON.stringify(key)}`);
      }
    }
    await this.#host.loaded();
    const definition = this.#host.definition(spec.job);
    const stored = this.#define(name, definition, {
      ...spec,
      where: `schedules.set(${JSON.stringify(name)})`,
    });
    await this.#host.store.schedules.set(stored);
    return await this.#existing(name);
  }

  /** Schedule `name`, or null. */
  async get(name: string): Promise<ScheduleInfo | null> {
    const stored = await this.#host.store.schedules.get(name);
    return stored ? this.#info(stored) : null;
  }

  /** Every schedule, by name. */
  async list(): Promise<ScheduleInfo[]> {
    return (await this.#host.store.schedules.list()).map((s) => this.#info(s));
  }

  /**
   * Deletes schedule `name`; false when there was none. Jobs it enqueued stay. A schedule
   * defined in code comes back when an engine with that code starts work.
   */
  async delete(name: string): Promise<boolean> {
    return await this.#host.store.schedules.delete(name);
  }

  /** Pauses schedule `name`: nothing fires until it is resumed. Throws `ScheduleNotFoundError`. */
  pause(name: string): Promise<ScheduleInfo> {
    return this.#setPaused(name, true);
  }

  /** Resumes schedule `name` from now on: ticks that fell while it was paused never fire. */
  resume(name: string): Promise<ScheduleInfo> {
    return this.#setPaused(name, false);
  }

  /**
   * Enqueues a job of schedule `name` now (id `cron:<name>:trigger:<ulid>`), whatever its
   * pattern, paused or not; its fire times do not change. Returns the job id (the holder's when
   * its unique key is held under `return-existing`). Throws `ScheduleNotFoundError`, or
   * `DuplicateJobError`.
   */
  async trigger(name: string): Promise<string> {
    const stored = await this.#host.store.schedules.get(name);
    if (!stored) throw new ScheduleNotFoundError(name);
    const [id] = await this.#host.enqueue([
      triggerJob(stored, `cron:${name}:trigger:${newJobId()}`),
    ]);
    return id!;
  }

  /**
   * Stores the cron entries of `definitions` that this engine has not stored yet, keeping their
   * run-time state (the engine calls this when it starts work); one call at a time.
   */
  storeDefinitions(definitions: readonly JobDefinition[]): Promise<void> {
    const run = this.#storing.then(() => this.#storePending(definitions));
    this.#storing = run.catch(() => {});
    return run;
  }

  /** Resolves when no `storeDefinitions` call is in progress. */
  async settled(): Promise<void> {
    await this.#storing;
  }

  async #storePending(definitions: readonly JobDefinition[]): Promise<void> {
    for (const definition of definitions) {
      if (definition.cron.length === 0 || this.#stored.has(definition)) continue;
      for (const entry of definition.cron) {
        const where = `cron ${JSON.stringify(entry.name)} of ${JSON.stringify(definition.name)}`;
        await this.#host.store.schedules.set(
          this.#define(entry.name, definition, { ...entry, where }),
        );
      }
      this.#stored.add(definition);
    }
  }

  async #setPaused(name: string, paused: boolean): Promise<ScheduleInfo> {
    await this.#host.store.schedules.setPaused(name, paused);
    return await this.#existing(name);
  }

  /** Schedule `name`; `ScheduleNotFoundError` when there is none. */
  async #existing(name: string): Promise<ScheduleInfo> {
    const info = await this.get(name);
    if (!info) throw new ScheduleNotFoundError(name);
    return info;
  }

  /** A schedule's definition: pattern, zone and payload checked, its job encoded. */
  #define(
    name: string,
    definition: JobDefinition,
    spec: Omit<ScheduleSpec, "job"> & { where: string },
  ): ScheduleDefinition {
    const { where } = spec;
    const cron = CronPattern.parse(spec.pattern, spec.tz ?? DEFAULT_TIME_ZONE, where);
    const catchUp = spec.catchUp ?? "skip";
    assertCatchUp(catchUp, where);
    const options = spec.options ?? {};
    for (const key of Object.keys(options)) {
      if (!JOB_OPTIONS.has(key)) {
        throw new TypeError(
          `${where}: option ${JSON.stringify(key)} does not apply to a schedule's jobs ` +
            `(these do: ${[...JOB_OPTIONS].join(", ")})`,
        );
      }
    }
    const parsed = definition.payload.safeParse(spec.payload);
    if (!parsed.success) {
      throw new PayloadValidationError(definition.name, (parsed.error as z.ZodError).issues);
    }
    const resolved = resolveEnqueueOptions(options, definition, this.#host.clock.now());
    const unique = resolved.unique ?? definition.unique;
    return {
      name,
      pattern: cron.pattern,
      tz: cron.tz,
      catchUp,
      job: {
        name: definition.name,
        queue: resolved.queue,
        lane: resolved.lane,
        payload: this.#host.encode(definition, parsed.data),
        maxAttempts: resolved.maxAttempts,
        backoff: resolved.backoff ?? null,
        unique: unique ? uniqueLock(definition.name, unique, parsed.data) : null,
        limitKey: definition.limits
          ? limitKeyOf(definition.name, definition.limits, parsed.data)
          : null,
      },
    };
  }

  #info(stored: StoredSchedule): ScheduleInfo {
    const now = this.#host.clock.now();
    let next: number[] = [];
    if (!stored.paused) {
      const cron = storedPattern(stored.pattern, stored.tz);
      next = stored.next !== null && stored.next > now
        ? [stored.next, ...cron.upcoming(stored.next, 4)]
        : cron.upcoming(now, 5);
    }
    return {
      name: stored.name,
      job: stored.job.name,
      pattern: stored.pattern,
      tz: stored.tz,
      catchUp: stored.catchUp,
      paused: stored.paused,
      next,
      lastFiredAt: stored.lastFiredAt,
      queue: stored.job.queue,
      priority: stored.job.lane,
      payload: this.#host.decode(stored.job.payload),
    };
  }
}
