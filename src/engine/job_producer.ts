/**
 * The producing side of an engine: checks and encodes jobs (payload schema, options, unique
 * keys, limit keys), orders a call's dependency graph, stores it as one all-or-none group
 * (concurrent calls sharing a store call), and announces the `enqueued` events.
 *
 * @module
 */
import type { z } from "zod";
import type { PayloadEncoder } from "../codec/payload_encoder.ts";
import type { Clock } from "../job/clock.ts";
import { DuplicateJobError, UnknownPrerequisiteError } from "../job/enqueue_errors.ts";
import { BulkItemError, PayloadValidationError } from "../job/errors.ts";
import type { JobEventEmitter } from "../job/events.ts";
import { jobIdProblem } from "../job/ids.ts";
import { limitKeyOf } from "../job/limits.ts";
import type { Logger } from "../job/logger.ts";
import { type EnqueueOptions, resolveEnqueueOptions } from "../job/options.ts";
import type { JobState } from "../job/states.ts";
import { uniqueLock } from "../job/unique.ts";
import { assertEventName } from "../registry/definition.ts";
import type { JobRef } from "../registry/job_ref.ts";
import { LimitSync } from "../registry/limit_sync.ts";
import { type OrderedCall, orderItems, type PreparedJob } from "../schedule/enqueue_order.ts";
import type { EnqueueOutcome, GroupOutcome, NewJob, Store } from "../store/store.ts";
import { Coalescer } from "../worker/coalescer.ts";
import type { FunctionRegistry } from "./function_registry.ts";
import type { BulkItem, EmitOptions } from "./options.ts";

/** What a producer works with. */
export interface ProducerParts {
  /** The store jobs go to. */
  store: Store;
  /** The engine's clock (enqueue times, `runAt`). */
  clock: Clock;
  /** Payload codecs. */
  encoder: PayloadEncoder;
  /** Where `enqueued` events go. */
  events: JobEventEmitter;
  /** The registered functions. */
  functions: FunctionRegistry;
  /** Where it logs. */
  logger: Logger;
}

/** Enqueues jobs for an engine. */
export class JobProducer {
  #p: ProducerParts;
  #limits: LimitSync;
  #groups: Coalescer<readonly NewJob[], GroupOutcome>;

  /** A producer over `parts`. */
  constructor(parts: ProducerParts) {
    this.#p = parts;
    this.#limits = new LimitSync(parts.store);
    // Two calls in flight: the next batch is built while the store runs the last. They reach
    // Redis in order on the one connection, with one exception: a call refused with NOSCRIPT (the
    // server lost its script cache) is sent again, after the call behind it, which succeeds if
    // another client loaded the script in between. Concurrent enqueue calls promise no order.
    this.#groups = new Coalescer((groups) => parts.store.enqueueGroups(groups), {
      maxInFlight: 2,
    });
  }

  /** Enqueues one job; returns its id (see `Engine.enqueue`). */
  async enqueue(job: JobRef, payload: unknown, options?: EnqueueOptions): Promise<string> {
    const [id] = await this.#submit(orderItems([this.#prepare(job, payload, options)]));
    return id!;
  }

  /** Enqueues many jobs atomically, refs resolved among them (see `Engine.enqueueBulk`). */
  async enqueueBulk(items: readonly BulkItem[]): Promise<string[]> {
    if (!Array.isArray(items)) throw new TypeError("enqueueBulk: items must be an array");
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

  /** Enqueues one job per function listening to `event` (see `Engine.emit`). */
  async emit(event: string, payload: unknown, options: EmitOptions): Promise<string[]> {
    assertEventName(event, "emit");
    const { id, ...rest } = options;
    const jobs = this.#p.functions.all()
      .filter((d) => d.on.includes(event))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((d) =>
        this.#prepare(d, payload, id === undefined ? rest : { ...rest, id: `${id}:${d.name}` })
      );
    if (jobs.length === 0) {
      this.#p.logger.debug("emit: no function listens to this event", { event });
      return [];
    }
    return this.announce(await this.#store(jobs), jobs);
  }

  /** Tells the store the registered functions' limits it does not know yet. */
  sendLimits(): Promise<void> {
    return this.#limits.ensure(this.#p.functions.all());
  }

  /** Emits `enqueued` for the jobs a store call created; returns the ids in call order. */
  announce(
    outcomes: { id: string; created: boolean; state: JobState }[],
    jobs: readonly NewJob[],
  ): string[] {
    const { events, clock } = this.#p;
    if (events.has("enqueued")) {
      const at = clock.now();
      outcomes.forEach((out, i) => {
        const job = jobs[i]!;
        if (!out.created) return;
        events.emit("enqueued", {
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

  /** Stores an ordered call; returns the ids in the caller's item order. */
  async #submit(call: OrderedCall): Promise<string[]> {
    let outcomes: EnqueueOutcome[];
    try {
      outcomes = await this.#store(call.jobs);
    } catch (error) {
      if (error instanceof DuplicateJobError || error instanceof UnknownPrerequisiteError) {
        throw error.at(call.order[error.index]!);
      }
      throw error;
    }
    const ids = this.announce(outcomes, call.jobs);
    const inItemOrder: string[] = new Array(ids.length);
    call.order.forEach((item, k) => inItemOrder[item] = ids[k]!);
    return inItemOrder;
  }

  /**
   * Stores `jobs` as one all-or-none group, the store told their functions' limits first.
   * Concurrent calls may share a store call (each still all or none on its own); up to two
   * store calls are in flight at once (see the constructor).
   */
  async #store(jobs: NewJob[]): Promise<EnqueueOutcome[]> {
    await this.sendLimits();
    const outcome = await this.#groups.add(jobs);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  #prepare(
    job: JobRef,
    payload: unknown,
    options: EnqueueOptions | undefined,
    ref?: string,
  ): PreparedJob {
    const definition = this.#p.functions.resolve(job);
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) {
      throw new PayloadValidationError(definition.name, (parsed.error as z.ZodError).issues);
    }
    if (ref !== undefined && jobIdProblem(ref) !== null) {
      throw new TypeError(`ref ${JSON.stringify(ref)} ${jobIdProblem(ref)}`);
    }
    const now = this.#p.clock.now();
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
      payload: this.#p.encoder.encodePayload(definition, parsed.data),
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
}
