/**
 * One Sluice worker process of the bench's several-processes scenario:
 * `deno run ... bench/_sluice_worker.ts '{"url","namespace","retention","concurrency"}'` runs
 * `engine.work({ concurrency })` with the inline no-op, prints `{"ready":true}` once the node is
 * registered, and stops and exits when its stdin closes.
 *
 * @module
 */
import { SluiceBench } from "./_sluice.ts";
import type { SluiceEnv } from "./_scenario.ts";
import { Noop } from "./functions/noop.ts";

/** The argument of a worker process. */
export interface SluiceWorkerSpec extends SluiceEnv {
  /** Worker concurrency. */
  concurrency: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(Deno.args[0] ?? "null") as SluiceWorkerSpec;
  const s = await SluiceBench.open(spec, [Noop]);
  s.engine.on("failed", (e) => console.log(JSON.stringify({ error: `job ${e.id} failed` })));
  const worker = s.engine.work({ concurrency: spec.concurrency });
  await worker.ready;
  console.log(JSON.stringify({ ready: true }));
  for await (const _ of Deno.stdin.readable) {
    // nothing is sent; the loop ends when stdin closes
  }
  await worker.stop({ drainMs: 0 });
  await s.close();
}

if (import.meta.main) await main();
