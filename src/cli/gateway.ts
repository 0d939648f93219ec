/**
 * `sluice gateway`: the gateway alone (API, dashboard, metrics) over the Redis that workers in
 * other processes serve. Its event stream and job counters see only this process's events (what
 * it enqueues or cancels); queue depths, nodes and dead letters come from the store.
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { ServeConfig, StoreConfig } from "./config.ts";
import { serve } from "./serve.ts";
import { openServing } from "./serving.ts";
import { STOP_GRACE_MS, untilSignalled } from "./shutdown.ts";

/** Serves until SIGINT/SIGTERM. */
export async function gateway(
  store: StoreConfig,
  serveConfig: ServeConfig,
  logger: Logger,
): Promise<void> {
  const signalled = untilSignalled(logger, { deadlineMs: STOP_GRACE_MS });
  const { engine, close } = await openServing("gateway", store, logger);
  try {
    const served = await serve(engine, serveConfig, logger);
    await signalled;
    await served.stop();
  } finally {
    await close();
  }
}
