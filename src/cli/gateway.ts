/**
 * `sluice gateway`: the gateway alone (API, dashboard, metrics) over a store that workers in
 * other processes serve. Its event stream and job counters see only this process's events (what
 * it enqueues or cancels); queue depths, nodes and dead letters come from the store.
 *
 * @module
 */
import type { EngineConfig, ServeConfig } from "./config.ts";
import type { CliIO } from "./io.ts";
import { serve, untilSignalled } from "./serve.ts";

/** Serves until SIGINT/SIGTERM. */
export async function gateway(
  engineConfig: EngineConfig,
  serveConfig: ServeConfig,
  io: CliIO,
): Promise<void> {
  if (engineConfig.store.startsWith("memory:")) {
    io.err(
      "sluice: the gateway alone on the memory store sees no worker; use `start`, or REDIS_URL",
    );
  }
  const signalled = untilSignalled(io); // listen first: a signal during start-up stops it after
  const engine = await io.openEngine(engineConfig);
  const served = await serve(engine, serveConfig, io);
  await signalled;
  await served.stop();
  await engine.close();
}
