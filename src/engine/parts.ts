/**
 * The parts an engine is made of, assembled from its options: the store (opened from a URL, or
 * given), clock, logger, event emitter, codecs, the shared event feed, the registered functions,
 * the producer, failure callbacks and the webhook; and the runtime its workers get.
 *
 * @module
 */
import { FailureDispatcher } from "../alerts/failure_hooks.ts";
import { WebhookSender } from "../alerts/webhook.ts";
import { PayloadEncoder, resolveEncodingDefaults } from "../codec/payload_encoder.ts";
import { EventFeed } from "../events/event_feed.ts";
import { type Clock, systemClock } from "../job/clock.ts";
import { JobEventEmitter } from "../job/events.ts";
import { type JobInfo, toJobInfo } from "../job/job_info.ts";
import { DeadLetterQueue } from "./dead_letter_queue.ts";
import { Schedules } from "./schedules.ts";
import { consoleLogger, type Logger, quietOutages } from "../job/logger.ts";
import { functionModules } from "../registry/function_modules.ts";
import type { Enqueue } from "../registry/job_ref.ts";
import { openStore } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import type { WorkerRuntime } from "../worker/runtime.ts";
import { checkGraces, checkHooks } from "./failure_options.ts";
import { FunctionRegistry } from "./function_registry.ts";
import { JobProducer } from "./job_producer.ts";
import type { EngineOptions } from "./options.ts";

/** Everything an engine holds. */
export interface EngineParts {
  /** Where jobs live. */
  store: Store;
  /** The engine opened the store (from a URL) and closes it. */
  ownsStore: boolean;
  /** Its clock. */
  clock: Clock;
  /** Its logger (outages logged once, by the store's connection). */
  logger: Logger;
  /** Life-cycle events of this process. */
  events: JobEventEmitter;
  /** Payload and result codecs. */
  encoder: PayloadEncoder;
  /** The one reader of the store's shared event stream. */
  feed: EventFeed;
  /** The registered functions. */
  functions: FunctionRegistry;
  /** Enqueues jobs. */
  producer: JobProducer;
  /** Failure callbacks (`onFailure`, `onDead`) and the webhook. */
  failures: FailureDispatcher;
  /** The alerting webhook, or null. */
  webhook: WebhookSender | null;
  /** Grace periods of inline handlers after an abort. */
  graces: { abortGraceMs?: number; cancelGraceMs?: number };
  /** Decodes stored bytes (payloads, results). */
  decode: (bytes: Uint8Array) => unknown;
  /** The dead-letter queue. */
  deadLetters: DeadLetterQueue;
  /** Cron schedules. */
  schedules: Schedules;
}

/** Assembles the parts of an engine; `getJob` reads a job for the failure callbacks. */
export function assembleEngine(
  options: EngineOptions,
  getJob: (id: string) => Promise<JobInfo | null>,
): EngineParts {
  const clock = options.clock ?? systemClock;
  // an outage is logged once by the store's connection, not by every loop that retries
  const logger = quietOutages(options.logger ?? consoleLogger);
  const events = new JobEventEmitter((error) =>
    logger.error("an event listener threw", { error: String(error) })
  );
  const { store, ownsStore } = storeOf(options, clock, logger);
  const encoder = new PayloadEncoder(resolveEncodingDefaults(options));
  const functions = new FunctionRegistry(options.functions, logger);
  const producer = new JobProducer({ store, clock, encoder, events, functions, logger });
  const webhook = options.webhook ? new WebhookSender(options.webhook, clock, logger) : null;
  const failures = new FailureDispatcher({
    getJob,
    definition: (name) => functions.get(name),
    hooks: checkHooks(options),
    webhook,
    logger,
  });
  events.on("failed", (event) => failures.failed(event));
  const decode = (bytes: Uint8Array) => encoder.decode(bytes).value;
  const schedules = new Schedules({
    store,
    clock,
    definition: (job) => functions.resolve(job),
    encode: (definition, payload) => encoder.encodePayload(definition, payload),
    decode,
    enqueue: async (jobs) => producer.announce(await store.enqueue(jobs), jobs),
    loaded: () => functions.ready(),
  });
  return {
    store,
    ownsStore,
    clock,
    logger,
    events,
    encoder,
    feed: new EventFeed(store, logger),
    functions,
    producer,
    failures,
    webhook,
    graces: checkGraces(options),
    decode,
    deadLetters: new DeadLetterQueue(store, (r) => toJobInfo(r, decode)),
    schedules,
  };
}

function storeOf(
  options: EngineOptions,
  clock: Clock,
  logger: Logger,
): { store: Store; ownsStore: boolean } {
  if (typeof options.store === "string") {
    const namespace = options.namespace ? { namespace: options.namespace } : {};
    return { store: openStore(options.store, { clock, logger, ...namespace }), ownsStore: true };
  }
  if (options.store && typeof options.store.reserve === "function") {
    return { store: options.store, ownsStore: false };
  }
  throw new TypeError("createEngine: store must be a Store or a URL string");
}

/** The services an engine's workers use; `enqueue` is the engine's (for `ctx.enqueue`). */
export function workerRuntime(parts: EngineParts, enqueue: Enqueue): WorkerRuntime {
  return {
    store: parts.store,
    encoder: parts.encoder,
    clock: parts.clock,
    logger: parts.logger,
    events: parts.events,
    definition: (name) => parts.functions.get(name),
    functionNames: () => parts.functions.names(),
    functionModules: () => functionModules(parts.functions.source),
    enqueue,
    graces: parts.graces,
  };
}
