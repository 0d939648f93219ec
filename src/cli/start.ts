/**
 * `sluice start`: an engine, a worker and a demo producer in one process, printing what happens.
 * Uses the memory store unless `REDIS_URL` is set. The functions come from the functions folder
 * (discovery: every file in it, no list to edit), or from the generated manifest where a folder
 * scan cannot work (see `function_source.ts`). (The gateway issue turns this into the dashboard.)
 *
 * @module
 */
import { createEngine } from "../engine.ts";
import { LANES } from "../job/lanes.ts";
import { functionSource } from "./function_source.ts";

/** Options of the start command. */
export interface StartOptions {
  /** Store URL (default `REDIS_URL`, else `memory://`). */
  store: string;
  /** Redis namespace. */
  namespace: string;
  /** Concurrency of the worker. */
  concurrency: number;
  /** `user.created` demo events emitted per second (0: none). */
  demoRate: number;
  /** The functions folder (default `./functions`). */
  functions: string;
}

/** Runs until SIGINT/SIGTERM; a second signal exits at once. */
export async function start(options: StartOptions): Promise<void> {
  const functions = await functionSource(options.functions);
  if (typeof functions !== "string") console.log("sluice: functions from the generated manifest");
  const engine = createEngine({ store: options.store, namespace: options.namespace, functions });
  await engine.ready();
  const where = options.store.startsWith("memory:") ? "memory store" : "Redis";
  console.log(`sluice: engine on ${where}, functions: ${engine.functionNames().join(", ")}`);
  engine.on(
    "completed",
    (e) => console.log(`completed ${e.name} ${e.id} [${e.lane}] in ${e.durationMs.toFixed(1)} ms`),
  );
  engine.on(
    "failed",
    (e) => console.log(`failed ${e.name} ${e.id}: ${e.error.message} -> ${e.state}`),
  );
  const worker = engine.work({ concurrency: options.concurrency });
  console.log(`sluice: worker ${worker.id} running with ${options.concurrency} slots`);

  let n = 0;
  const produce = async () => {
    const lane = LANES[n % LANES.length]!;
    n++;
    const ids = await engine.emit("user.created", {
      to: `user${n}@example.com`,
      name: `User ${n}`,
    }, { priority: lane });
    console.log(`emitted user.created #${n} [${lane}]: ${ids.length} job(s) ${ids.join(", ")}`);
  };
  const timer = options.demoRate > 0
    ? setInterval(() => produce().catch((e) => console.error(e)), 1_000 / options.demoRate)
    : undefined;

  const stopped = Promise.withResolvers<void>();
  let stopping = false;
  const onSignal = () => {
    if (stopping) Deno.exit(130);
    stopping = true;
    console.log("sluice: stopping (again to exit at once)");
    clearInterval(timer);
    stopped.resolve();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  await stopped.promise;
  await worker.stop();
  for (const [queue, counts] of Object.entries(await engine.counts())) {
    console.log(`sluice: stopped; queue ${queue}: ${JSON.stringify(counts.states)}`);
  }
  await engine.close();
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
}
