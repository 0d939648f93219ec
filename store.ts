/**
 * The store seam of Sluice: the `Store` interface and its verbs, the two stores (`MemoryStore`
 * for tests and local runs, `RedisStore` for production), the status codes, the cluster and
 * observation records, and the conformance suite a third-party store runs to prove it behaves.
 *
 * @example Run a Redis store under an engine
 * ```ts
 * import { createEngine } from "./mod.ts";
 * import { RedisStore } from "./store.ts";
 *
 * const store = await RedisStore.connect({ url: "redis://127.0.0.1:6379", namespace: "app" });
 * const engine = createEngine({ store });
 * await engine.close();
 * await store.close();
 * ```
 *
 * @module
 */
export type * from "./src/store/store.ts";
export type * from "./src/store/cluster.ts";
export type * from "./src/store/observations.ts";
export type * from "./src/store/schedule_store.ts";
export { BUCKET_EDGES_MS } from "./src/store/observations.ts";
export { MemoryStore, type MemoryStoreOptions } from "./src/store/memory/memory_store.ts";
export { RedisStore, type RedisStoreOptions } from "./src/store/redis/redis_store.ts";
export { Status, type StatusCode } from "./src/job/status.ts";
export { ownBytes } from "./src/codec/byte_pool.ts";
export type { JobRecord, Reservation } from "./src/job/job.ts";
export type { UniqueLock } from "./src/job/unique.ts";
export {
  CaseContext,
  type ConformanceCases,
  runStoreConformance,
  type StoreFactory,
} from "./src/store/_conformance.ts";
