/**
 * The two stores a trace runs against: a `MemoryStore` and a `RedisStore` in a fresh random
 * namespace, on one `ManualClock`, with the trace's retention. Closing drops the namespace.
 *
 * @module
 */
import type { RedisClient } from "../../src/store/redis/connection.ts";
import { ManualClock } from "../../src/job/clock.ts";
import { MemoryStore } from "../../src/store/memory/memory_store.ts";
import { dropNamespace, RedisStore } from "../../src/store/redis/redis_store.ts";
import type { RetentionConfig, Store } from "../../src/store/store.ts";
import { HandleBook } from "./handles.ts";

/** One store under test with the real tokens it handed out. */
export interface Side {
  /** "memory" or "redis", for messages. */
  name: string;
  /** The store. */
  store: Store;
  /** Its leases and leader leases, by handle. */
  book: HandleBook;
}

/** Both stores of one trace run, on one clock. */
export interface StorePair {
  /** The clock both stores read. */
  clock: ManualClock;
  /** The memory store. */
  memory: Side;
  /** The Redis store. */
  redis: Side;
  /** Closes both stores and deletes the Redis namespace. */
  close(): Promise<void>;
}

/** Opens a fresh pair of stores with `retention`. */
export type PairFactory = (retention: RetentionConfig) => StorePair;

/** A pair of `memory` and `other` on `clock`; closing closes both, then runs `after`. */
export function pairOf(
  clock: ManualClock,
  memory: Store,
  other: Store,
  after: () => Promise<unknown> = () => Promise.resolve(),
): StorePair {
  return {
    clock,
    memory: { name: "memory", store: memory, book: new HandleBook() },
    redis: { name: "redis", store: other, book: new HandleBook() },
    async close() {
      await memory.close();
      await other.close();
      await after();
    },
  };
}

/** A factory of store pairs whose Redis stores share the client `redis` (left open). */
export function storePairs(redis: RedisClient): PairFactory {
  return (retention) => {
    const clock = new ManualClock();
    const namespace = `fuzz-${crypto.randomUUID()}`;
    const memory = new MemoryStore({ clock, retention });
    const onRedis = new RedisStore({ redis, namespace, clock, retention });
    return pairOf(clock, memory, onRedis, () => dropNamespace(redis, namespace));
  };
}
