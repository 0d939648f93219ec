/**
 * `sluice start`: gateway (API, dashboard, metrics), worker and leader in one process, plus a
 * demo producer. Uses the memory store unless `REDIS_URL` is set. The functions come from the
 * functions folder (discovery: every file in it, no list to edit), or from the generated manifest
 * where a folder scan cannot work (see `function_source.ts`).
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import { LANES } from "../job/lanes.ts";
import type { WorkOptions } from "../worker/node_options.ts";
import type { EngineConfig, ServeConfig } from "./config.ts";
import type { CliIO } from "./io.ts";
import { serve, untilSignalled } from "./serve.ts";

/** Options of the start command. */
export interface StartOptions {
  /** Store, namespace and functions. */
  engine: EngineConfig;
  /** Gateway port, address and tokens. */
  serve: ServeConfig;
  /** The worker's options. */
  work: WorkOptions;
  /** `user.created` demo events emitted per second (0: none). */
  demoRate: number;
}

function demoProducer(engine: Engine, rate: number, io: CliIO): () => void {
  if (rate <= 0) return () => {};
  let n = 0;
  const produce = async () => {
    const lane = LANES[n % LANES.length]!;
    n++;
    await engine.emit("user.created", { to: `user${n}@example.com`, name: `User ${n}` }, {
      priority: lane,
    });
  };
  const timer = setInterval(() => produce().catch((e) => io.err(String(e))), 1_000 / rate);
  io.out(
    `sluice: demo producer emits ${rate} user.created event(s) per second (--demo-rate 0: off)`,
  );
  return () => clearInterval(timer);
}

/** Runs until SIGINT/SIGTERM; a second signal exits at once. */
export async function start(options: StartOptions, io: CliIO): Promise<void> {
  const signalled = untilSignalled(io); // listen first: a signal during start-up stops it after
  const engine = await io.openEngine(options.engine);
  const where = options.engine.store.startsWith("memory:") ? "the memory store" : "Redis";
  io.out(`sluice: engine on ${where}, functions: ${engine.functionNames().join(", ") || "(none)"}`);
  engine.on("failed", (e) => io.err(`failed ${e.name} ${e.id}: ${e.error.message} -> ${e.state}`));
  const worker = engine.work(options.work);
  io.out(`sluice: worker ${worker.id} running`);
  const served = await serve(engine, options.serve, io);
  const stopDemo = demoProducer(engine, options.demoRate, io);
  await signalled;
  stopDemo();
  await served.stop();
  await worker.stop();
  for (const [queue, counts] of Object.entries(await engine.counts())) {
    io.out(`sluice: stopped; queue ${queue}: ${JSON.stringify(counts.states)}`);
  }
  await engine.close();
}
