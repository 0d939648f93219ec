/**
 * `sluice worker`: a worker node in its own process, on Redis. It logs one line per life-cycle
 * event of the node (`node-started`, `leader-elected`, `leader-deposed`, `signal`,
 * `node-stopped`, ...) in the chosen format (JSON lines by default). SIGTERM or SIGINT stops it
 * gracefully within its drain time; a second signal cuts the drain short. With a metrics port it
 * serves its own `/metrics` and `/healthz` (`worker_probe.ts`).
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { WorkOptions } from "../worker/node_options.ts";
import type { WorkerHandle } from "../worker/worker_node.ts";
import type { StoreConfig } from "./config.ts";
import { openServing } from "./serving.ts";
import { STOP_GRACE_MS, untilSignalled } from "./shutdown.ts";
import { drainOf } from "./work_flags.ts";
import { type Probe, serveProbe } from "./worker_probe.ts";

/** Where a worker serves its `/metrics` and `/healthz`. */
export interface ProbeConfig {
  /** Port (0: any free one). */
  port: number;
  /** Address. */
  hostname: string;
}

/** Runs a node until it is signalled to stop; serves its probe endpoint when `probe` is given. */
export async function worker(
  store: StoreConfig,
  work: WorkOptions,
  logger: Logger,
  probe?: ProbeConfig,
): Promise<void> {
  let node: WorkerHandle | null = null;
  // listen first: a signal that comes during start-up stops the node once it runs
  const signalled = untilSignalled(logger, {
    deadlineMs: drainOf(work) + STOP_GRACE_MS,
    onSecond: () => void node?.stop({ drainMs: 0 }),
  });
  const { engine, close } = await openServing("worker", store, logger);
  let served: Probe | null = null;
  try {
    const started = engine.work(work);
    if (probe) {
      served = await serveProbe(() => started.status(), probe.port, probe.hostname);
      logger.info("metrics-listening", { node: started.id, url: served.url });
    }
    try {
      await started.ready;
    } catch (error) {
      logger.error("node-failed", { node: started.id, error: String(error) });
      await started.stop({ drainMs: 0 });
      throw error;
    }
    node = started;
    logger.info("node-started", {
      node: node.id,
      queues: work.queues ?? "(of the functions)",
      concurrency: work.concurrency ?? null,
      isolates: work.isolates ?? false,
    });
    let leading = false;
    const watch = setInterval(() => {
      if (started.isLeader !== leading) {
        leading = started.isLeader;
        logger.info(leading ? "leader-elected" : "leader-deposed", { node: started.id });
      }
    }, 100);
    await signalled;
    await node.stop();
    clearInterval(watch);
    logger.info("node-stopped", { node: node.id });
  } finally {
    await served?.stop();
    await close();
  }
}
