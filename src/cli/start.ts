/**
 * `sluice start`: gateway (API, dashboard, metrics), worker and leader in one process, plus a
 * demo producer. Uses the memory store unless `--store`/`REDIS_URL` says otherwise. The functions
 * come from the functions folder (discovery: every file in it, no list to edit), or from the
 * generated manifest where a folder scan cannot work (see `function_source.ts`).
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { WorkOptions } from "../worker/node_options.ts";
import type { ServeConfig, StoreConfig } from "./config.ts";
import { startDemo } from "./demo.ts";
import { serve } from "./serve.ts";
import { openServing } from "./serving.ts";
import { STOP_GRACE_MS, untilSignalled } from "./shutdown.ts";
import { drainOf } from "./work_flags.ts";

/** Options of the start command. */
export interface StartOptions {
  /** Store, namespace and functions. */
  store: StoreConfig;
  /** Gateway port, address and tokens. */
  serve: ServeConfig;
  /** The worker's options. */
  work: WorkOptions;
  /** `user.created` demo events emitted per second (0: none). */
  demoRate: number;
}

/** Runs until SIGINT/SIGTERM; a second signal exits at once. */
export async function start(options: StartOptions, logger: Logger): Promise<void> {
  // listen first: a signal during start-up stops it after
  const signalled = untilSignalled(logger, { deadlineMs: drainOf(options.work) + STOP_GRACE_MS });
  const { engine, close } = await openServing("start", options.store, logger);
  const where = options.store.store!.startsWith("memory:") ? "the memory store" : "Redis";
  logger.info(`engine on ${where}`, { functions: engine.functionNames() });
  const worker = engine.work(options.work);
  logger.info("worker running", { node: worker.id });
  let served;
  try {
    served = await serve(engine, options.serve, logger);
  } catch (error) {
    await worker.stop({ drainMs: 0 });
    await close();
    throw error;
  }
  const stopDemo = startDemo(engine, options.demoRate, logger);
  await signalled;
  logger.info("stopping (a second signal exits at once)");
  stopDemo();
  await served.stop();
  await worker.stop();
  try {
    for (const [queue, counts] of Object.entries(await engine.counts())) {
      logger.info("stopped", { queue, ...counts.states });
    }
  } catch (error) {
    logger.warn("stopped; the queue counts could not be read", { error: String(error) });
  }
  await close();
}
