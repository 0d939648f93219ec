/**
 * One BullMQ worker process of the bench's several-processes measurement:
 * `node bullmq_worker.mjs '{"url","prefix","queue","concurrency"}'` runs an inline no-op worker
 * on the queue, prints `{"ready":true}` once it is connected, and closes the worker and exits
 * when its stdin closes.
 *
 * @module
 */
import process from "node:process";
import { HANDLER_RESULT, openWorker } from "./bullmq/_common.mjs";

const say = (message) => process.stdout.write(JSON.stringify(message) + "\n");

const spec = JSON.parse(process.argv[2] ?? "null");
const worker = openWorker(spec, spec.queue, () => Promise.resolve(HANDLER_RESULT), {
  concurrency: spec.concurrency,
}, { failed: (error) => say({ error: String(error) }) });
await worker.waitUntilReady();
void worker.run();
say({ ready: true });
process.stdin.resume();
process.stdin.on("close", async () => {
  await worker.close(true).catch(() => {});
  process.exit(0);
});
