/**
 * `engine.work()`: starts a worker node in this process over the engine's parts, after sending
 * the functions' limits and while storing their cron schedules.
 *
 * @module
 */
import { assertQueueName } from "../job/queue_name.ts";
import type { WorkOptions } from "../worker/node_options.ts";
import type { WorkerRuntime } from "../worker/runtime.ts";
import { startNode } from "../worker/start_node.ts";
import type { WorkerHandle } from "../worker/worker_node.ts";
import type { EngineParts } from "./parts.ts";
import type { Schedules } from "./schedules.ts";

/** Starts a worker node; `stopped` hears when its handle's `stop()` ended. */
export function launchWorker(
  parts: EngineParts,
  runtime: WorkerRuntime,
  schedules: Schedules,
  options: WorkOptions,
  stopped: (handle: WorkerHandle) => void,
): WorkerHandle {
  const { functions, producer, logger } = parts;
  if (!functions.loaded) {
    throw new TypeError("work: the functions are still loading; await engine.ready() first");
  }
  const queues = options.queues ?? [...new Set(functions.all().map((d) => d.queue))];
  if (queues.length === 0) {
    throw new TypeError("work: no queues given and no functions registered");
  }
  for (const queue of queues) assertQueueName(queue, "work");
  producer.sendLimits().catch((error) => {
    // the enqueuers of limited jobs send the limits too: a worker only brings changes early
    logger.warn("work: could not send function limits", { error: String(error) });
  });
  const handle = startNode(runtime, queues, options);
  const stored = schedules.storeDefinitions(functions.all());
  stored.catch((error) =>
    logger.error("cron schedules could not be stored", { error: String(error) })
  );
  const ready = Promise.all([handle.ready, stored]).then(() => {});
  ready.catch(() => {}); // logged where it failed; whoever awaits `ready` sees the error
  const outer: WorkerHandle = {
    id: handle.id,
    get isLeader(): boolean {
      return handle.isLeader;
    },
    ready,
    status: () => handle.status(),
    stop: async (opts) => {
      await handle.stop(opts);
      stopped(outer);
    },
  };
  return outer;
}
