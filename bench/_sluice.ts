/**
 * The Sluice side of the benchmark: one engine on a `RedisStore` in its own namespace, a no-op
 * function with a zod payload schema, default store and worker options apart from concurrency.
 *
 * @module
 */
import { z } from "zod";
import {
  createEngine,
  define,
  type Engine,
  type Logger,
  RedisStore,
  type RedisStoreOptions,
  silentLogger,
} from "../mod.ts";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import denoConfig from "../deno.json" with { type: "json" };
import { benchPayload, type Contender, HANDLER_RESULT, type Trial } from "./_contender.ts";
import { Countdown, delay, LATENCY_WARMUP_JOBS, runPool, sequentialLatencies } from "./_pacing.ts";

const Noop = define(
  {
    name: "bench-noop",
    payload: z.object({ n: z.number().int(), user: z.string(), action: z.string() }),
  },
  () => HANDLER_RESULT,
);

/** Sluice on Redis, in namespace `namespace` (every key starts with `{sluice:NAMESPACE}:`). */
export class SluiceContender implements Contender {
  /** Which system. */
  readonly system = "sluice" as const;
  /** The version in `deno.json`. */
  readonly version: string = denoConfig.version;
  #url: string;
  #namespace: string;
  #store: RedisStore;
  #engine: Engine;
  #errors: string[] = [];

  private constructor(url: string, namespace: string, store: RedisStore) {
    this.#url = url;
    this.#namespace = namespace;
    this.#store = store;
    // Silent, except that errors are kept (not printed) to explain a stalled run.
    const logger: Logger = {
      ...silentLogger,
      error: (message, fields) => {
        if (this.#errors.length < 5) this.#errors.push(`${message} ${JSON.stringify(fields)}`);
      },
    };
    this.#engine = createEngine({ store, logger, functions: [Noop] });
  }

  /** What the engine logged as errors so far, for stall messages. */
  #diagnose = (): string =>
    this.#errors.length ? `sluice logged: ${this.#errors.join(" | ")}` : "sluice logged no error";

  /** Connects to `url` and uses `namespace`, which must be the bench's own. */
  static async open(url: string, namespace: string): Promise<SluiceContender> {
    const options: RedisStoreOptions = { url, namespace };
    return new SluiceContender(url, namespace, await RedisStore.connect(options));
  }

  /** Enqueues with `engine.enqueue`, `inflight` calls at once. */
  prepareEnqueueSingle(jobs: number, inflight: number): Promise<Trial> {
    const engine = this.#engine;
    return Promise.resolve({
      run: async () => {
        await runPool(jobs, inflight, (i) => engine.enqueue(Noop, benchPayload(i)));
        return {};
      },
      dispose: () => Promise.resolve(),
    });
  }

  /** Enqueues with `engine.enqueueBulk`, `chunk` jobs per call. */
  prepareEnqueueBulk(jobs: number, chunk: number): Promise<Trial> {
    return Promise.resolve({
      run: async () => {
        await this.#fill(jobs, chunk);
        return {};
      },
      dispose: () => Promise.resolve(),
    });
  }

  /** Pre-fills in bulk; the run starts `engine.work({ concurrency })` and counts completions. */
  async prepareProcess(jobs: number, concurrency: number, chunk: number): Promise<Trial> {
    await this.#fill(jobs, chunk);
    const engine = this.#engine;
    const countdown = new Countdown(jobs, "sluice process", 30_000, this.#diagnose);
    const offCompleted = engine.on("completed", () => countdown.tick());
    const offFailed = engine.on("failed", (e) => countdown.fail(new Error(`job failed: ${e.id}`)));
    let worker: ReturnType<Engine["work"]> | null = null;
    return {
      run: async () => {
        worker = engine.work({ concurrency });
        await countdown.done;
        return {};
      },
      dispose: async () => {
        countdown.fail(new Error("disposed"));
        await worker?.stop();
        offCompleted();
        offFailed();
      },
    };
  }

  /** Starts an idle worker; the run enqueues one job at a time and awaits its `completed`. */
  async prepareLatency(jobs: number, concurrency: number): Promise<Trial> {
    const engine = this.#engine;
    let current: Countdown | null = null;
    const offCompleted = engine.on("completed", () => current?.tick());
    const offFailed = engine.on("failed", (e) => current?.fail(new Error(`job failed: ${e.id}`)));
    const worker = engine.work({ concurrency });
    const sample = (n: number) =>
      sequentialLatencies(n, "sluice latency", (i, countdown) => {
        current = countdown;
        return engine.enqueue(Noop, benchPayload(i));
      }, this.#diagnose);
    await sample(LATENCY_WARMUP_JOBS);
    await delay(50); // let the worker go idle again
    return {
      run: async () => ({ latenciesMs: await sample(jobs) }),
      dispose: async () => {
        await worker.stop();
        offCompleted();
        offFailed();
      },
    };
  }

  /** Drops the namespace (SCAN + UNLINK of its keys only). */
  async clean(): Promise<void> {
    await dropNamespace(this.#url, this.#namespace);
  }

  /** Closes the engine and the store. */
  async close(): Promise<void> {
    await this.#engine.close();
    await this.#store.close();
  }

  async #fill(jobs: number, chunk: number): Promise<void> {
    for (let start = 0; start < jobs; start += chunk) {
      const end = Math.min(start + chunk, jobs);
      const items = [];
      for (let i = start; i < end; i++) items.push({ job: Noop, payload: benchPayload(i) });
      await this.#engine.enqueueBulk(items);
    }
  }
}
