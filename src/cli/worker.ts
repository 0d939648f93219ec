/**
 * `sluice worker`: a worker node in its own process. Configuration comes from flags or the
 * environment (`REDIS_URL`, `SLUICE_NAMESPACE`, `SLUICE_QUEUES`, `SLUICE_CONCURRENCY`,
 * `SLUICE_ISOLATES`). SIGTERM or SIGINT stops it gracefully; a second signal stops it at once.
 * It prints one JSON line per life-cycle event of the node on stdout.
 *
 * @module
 */
import { createEngine } from "../engine.ts";
import type { WorkOptions } from "../worker/node_options.ts";
import type { WorkerHandle } from "../worker/worker_node.ts";

/** Options of the worker command. */
export interface WorkerCommandOptions {
  /** Store URL. */
  store: string;
  /** Redis namespace. */
  namespace: string;
  /** Functions folder. */
  functions: string;
  /** Node options (queues, concurrency, isolates, timings). */
  work: WorkOptions;
}

function say(event: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ event, at: Date.now(), ...fields }));
}

/** Runs a node until it is signalled to stop. */
export async function worker(options: WorkerCommandOptions): Promise<void> {
  // Listen first: a signal that comes during start-up stops the node once it runs.
  let node: WorkerHandle | null = null;
  let signals = 0;
  const done = Promise.withResolvers<void>();
  const stopNode = (): void => {
    if (!node) return;
    if (signals === 1) node.stop().then(done.resolve, done.reject);
    else void node.stop({ drainMs: 0 });
  };
  const onSignal = (signal: Deno.Signal) => () => {
    signals++;
    say("signal", { signal, node: node?.id ?? null, count: signals });
    stopNode();
  };
  const handlers = (["SIGTERM", "SIGINT"] as const).map((s) => [s, onSignal(s)] as const);
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  try {
    const engine = createEngine({
      store: options.store,
      namespace: options.namespace,
      functions: options.functions,
    });
    await engine.ready();
    const started = engine.work(options.work);
    try {
      await started.ready;
    } catch (error) {
      say("node-failed", { node: started.id, error: String(error) });
      await started.stop({ drainMs: 0 });
      await engine.close();
      throw error;
    }
    node = started;
    say("node-started", {
      node: node.id,
      queues: options.work.queues ?? "(of the functions)",
      concurrency: options.work.concurrency ?? null,
      isolates: options.work.isolates ?? false,
    });
    let leading = false;
    const watch = setInterval(() => {
      if (started.isLeader !== leading) {
        leading = started.isLeader;
        say(leading ? "leader-elected" : "leader-deposed", { node: started.id });
      }
    }, 100);
    if (signals > 0) stopNode();
    await done.promise;
    clearInterval(watch);
    await engine.close();
    say("node-stopped", { node: node.id });
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  }
}
