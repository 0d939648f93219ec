/**
 * The engine of a serving command (`start`, `worker`, `gateway`): its store connected within the
 * connect timeout (one clear line when Redis cannot be reached), its functions loaded, logging in
 * the command's format. `worker` and `gateway` refuse a memory store: no other process could
 * reach it.
 *
 * @module
 */
import { createEngine, type Engine } from "../engine.ts";
import type { Logger } from "../job/logger.ts";
import { connectStore } from "../store/open_store.ts";
import type { StoreConfig } from "./config.ts";
import { UsageError } from "./flags.ts";
import { functionSource } from "./function_source.ts";
import { privateStore } from "./target.ts";

/** An engine and what closes it. */
export interface Serving {
  /** The engine. */
  engine: Engine;
  /** Closes the engine, then its store. */
  close(): Promise<void>;
}

/**
 * Opens the engine of `config` for `command`; a command that is not `start` needs a Redis store
 * (and refuses memory://).
 */
export async function openServing(
  command: string,
  config: StoreConfig,
  logger: Logger,
): Promise<Serving> {
  if (config.store === undefined) {
    throw new UsageError(
      `a ${command} needs the Redis of your Sluice: give --store redis://HOST:6379 (REDIS_URL)`,
    );
  }
  if (command !== "start" && /^memory:/i.test(config.store)) throw privateStore(command);
  const store = await connectStore(config.store, {
    namespace: config.namespace,
    logger,
    connectTimeoutMs: config.connectTimeoutMs,
  });
  try {
    const functions = await functionSource(config.functions, logger);
    const engine = createEngine({ store, functions, logger });
    await engine.ready();
    return {
      engine,
      close: async () => {
        await engine.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
