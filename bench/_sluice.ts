/**
 * Sluice's side of the bench, shared by the scenarios: an engine on a `RedisStore` (or, without
 * a URL, a `MemoryStore`) in the measurement's namespace with the retention mode's option,
 * default engine and worker options otherwise; bulk filling; and counting completions.
 *
 * Retention: `keep` is the store's default (`keepFinished` 10,000 per queue), `remove` is
 * `keepFinished: 0` (a completed job is deleted at once).
 *
 * @module
 */
import {
  type BulkItem,
  createEngine,
  type Engine,
  type JobClass,
  type JobDefinition,
  type Logger,
  silentLogger,
  type Store,
} from "../mod.ts";
import { MemoryStore, RedisStore, type RetentionConfig } from "../store.ts";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import denoConfig from "../deno.json" with { type: "json" };
import type { Retention } from "./_options.ts";
import type { SluiceEnv } from "./_scenario.ts";
import { Countdown, runPool } from "./_pacing.ts";

/** The Sluice version under test (deno.json). */
export const SLUICE_VERSION: string = denoConfig.version;

/** The folder of the bench's function files (for isolates). */
export const FUNCTIONS_DIR: string = new URL("./functions/", import.meta.url).pathname;

/** The store retention of a mode. */
export function retentionOf(mode: Retention): Partial<RetentionConfig> {
  return mode === "remove" ? { keepFinished: 0 } : {};
}

/** An engine of one measurement and what it logged. */
export class SluiceBench {
  /** The engine. */
  readonly engine: Engine;
  /** Its store. */
  readonly store: Store;
  #errors: string[] = [];

  private constructor(store: Store, functions: (JobDefinition | JobClass)[] | string) {
    this.store = store;
    // Silent, except that errors are kept (not printed) to explain a stalled run.
    const logger: Logger = {
      ...silentLogger,
      error: (message, fields) => {
        if (this.#errors.length < 5) this.#errors.push(`${message} ${JSON.stringify(fields)}`);
      },
    };
    this.engine = createEngine({ store, logger, functions });
  }

  /**
   * Opens a store for `env` (Redis when it has a URL, else memory) and an engine with
   * `functions` (definitions, or a folder for isolates), and waits until they are loaded.
   * Without `observe`, the store records no events and no metrics.
   */
  static async open(
    env: SluiceEnv,
    functions: (JobDefinition | JobClass)[] | string,
    observe = true,
  ): Promise<SluiceBench> {
    const retention = retentionOf(env.retention);
    const quiet = observe ? {} : { events: 0, metrics: false };
    const store = env.url
      ? await RedisStore.connect({ url: env.url, namespace: env.namespace, retention, ...quiet })
      : new MemoryStore({ retention, ...quiet });
    const bench = new SluiceBench(store, functions);
    await bench.engine.ready();
    return bench;
  }

  /** What the engine logged as errors so far, for stall messages. */
  diagnose = (): string =>
    this.#errors.length ? `sluice logged: ${this.#errors.join(" | ")}` : "sluice logged no error";

  /**
   * Enqueues `jobs` items (`item(i)`) with `engine.enqueueBulk`, `chunk` per call, `inflight`
   * calls at once (1 for the timed bulk measurement, more to pre-fill).
   */
  async fill(
    jobs: number,
    chunk: number,
    item: (i: number) => BulkItem,
    inflight = 1,
  ): Promise<void> {
    await runPool(Math.ceil(jobs / chunk), inflight, (c) => {
      const items: BulkItem[] = [];
      for (let i = c * chunk; i < Math.min((c + 1) * chunk, jobs); i++) items.push(item(i));
      return this.engine.enqueueBulk(items);
    });
  }

  /**
   * A countdown of `total` completions (from the engine's `completed` events; a `failed` event
   * fails it). `off` unsubscribes.
   */
  completions(total: number, what: string): { countdown: Countdown; off: () => void } {
    const countdown = new Countdown(total, `sluice ${what}`, 30_000, this.diagnose);
    const offCompleted = this.engine.on("completed", () => countdown.tick());
    const offFailed = this.engine.on(
      "failed",
      (e) => countdown.fail(new Error(`job ${e.id} failed: ${JSON.stringify(e.error)}`)),
    );
    return {
      countdown,
      off: () => {
        offCompleted();
        offFailed();
      },
    };
  }

  /** Closes the engine (stopping its workers) and the store. */
  async close(): Promise<void> {
    await this.engine.close();
    await this.store.close();
  }
}

/** Deletes every key of a namespace (SCAN + UNLINK of its keys only). */
export async function dropSluiceNamespace(url: string, namespace: string): Promise<void> {
  await dropNamespace(url, namespace);
}
