/**
 * The sandboxed no-op processor of the isolate measurement: BullMQ runs it in worker threads
 * (`useWorkerThreads: true`), as Sluice runs bench/functions/noop.ts in Deno isolates.
 *
 * @module
 */

/** Returns the result every bench handler returns. */
export default function noop() {
  return Promise.resolve({ ok: true });
}
