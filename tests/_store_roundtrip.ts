/**
 * A small job round trip through an engine on a given store: a worker in this process doubles
 * numbers; used to show a store works end to end (on a cluster shard, as an ACL user, over TLS).
 *
 * @module
 */
import { z } from "zod";
import { createEngine, define } from "../mod.ts";
import type { Store } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";

const Double = define(
  { name: "double", queue: "roundtrip", payload: z.object({ n: z.number() }) },
  ({ n }) => n * 2,
);

/** Enqueues `count` jobs on `store`, runs them on a worker here, returns their results in order. */
export async function roundTrip(store: Store, count: number): Promise<unknown[]> {
  const engine = createEngine({ store, logger: silentLogger, functions: [Double] });
  const worker = engine.work({ concurrency: 4 });
  try {
    const ids = await engine.enqueueBulk(
      Array.from({ length: count }, (_, n) => ({ job: Double, payload: { n } })),
    );
    return await Promise.all(ids.map((id) => engine.result(id, { timeoutMs: 30_000 })));
  } finally {
    await worker.stop();
    await engine.close();
  }
}
