/**
 * `sluice gateway`: the gateway alone (API, dashboard, metrics) over the Redis that workers in
 * other processes serve. Everything it shows comes from the store, so it sees the whole cluster:
 * the event stream, job metrics, depths, nodes, dead letters.
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
