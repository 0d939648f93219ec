/**
 * Builds and starts a worker node for `engine.work`: resolves its options and picks its executor
 * (inline, or a pool of isolates).
 *
 * @module
 */
import { InlineExecutor, type JobExecutor } from "./executor.ts";
import { IsolateExecutor } from "./isolate_executor.ts";
import { resolveNodeOptions, type WorkOptions } from "./node_options.ts";
import type { WorkerRuntime } from "./runtime.ts";
import { startWorkerNode, type WorkerHandle } from "./worker_node.ts";
import { StoreJobReports } from "./job_reports.ts";

/** Starts a node serving `queues` with `runtime`'s functions. */
export function startNode(
  runtime: WorkerRuntime,
  queues: string[],
  options: WorkOptions,
): WorkerHandle {
  const reports = new StoreJobReports(
    runtime.store,
    () => runtime.clock.now(),
    (what, error) =>
      runtime.logger.warn(`could not store a job's ${what} report`, { error: String(error) }),
  );
  const nodeRuntime: WorkerRuntime = { ...runtime, reports };
  const executor = buildExecutor(nodeRuntime, options);
  const resolved = resolveNodeOptions(options, queues, executor.capacity);
  return startWorkerNode(nodeRuntime, executor, resolved, reports);
}

function buildExecutor(runtime: WorkerRuntime, options: WorkOptions): JobExecutor {
  if (options.isolates) {
    const sizing = options.isolates === true ? {} : { ...options.isolates };
    if (options.concurrency !== undefined && sizing.slotsPerIsolate === undefined) {
      const size = sizing.size ?? navigator.hardwareConcurrency ?? 1;
      sizing.slotsPerIsolate = Math.max(Math.ceil(options.concurrency / size), 1);
    }
    return new IsolateExecutor(runtime, runtime.functionModules(), sizing);
  }
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`work: concurrency must be a whole number >= 1, got ${concurrency}`);
  }
  return new InlineExecutor(runtime, concurrency);
}
