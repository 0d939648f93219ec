/**
 * Redis connections of the store, the eviction-policy check, and `dropNamespace`.
 *
 * @module
 */
import { Redis } from "ioredis";
import { namespacePattern } from "./keys.ts";

/** The Redis URL used when none is given. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Opens a command connection. Auto-pipelining stays off: on loopback it cost a peer 38% of
 * worker throughput, and the store batches inside its scripts instead.
 */
export function openConnection(url: string = DEFAULT_REDIS_URL): Redis {
  return reportErrors(new Redis(url, { enableAutoPipelining: false }));
}

/** A second connection like `redis` (same server and options), e.g. for SUBSCRIBE. */
export function duplicateConnection(redis: Redis): Redis {
  return reportErrors(redis.duplicate({ enableAutoPipelining: false }));
}

/** Logs connection errors once per outage (ioredis reconnects by itself, and would log each). */
function reportErrors(redis: Redis): Redis {
  let reported = false;
  redis.on("ready", () => reported = false);
  redis.on("error", (error: Error) => {
    if (reported) return;
    reported = true;
    console.warn(`sluice: Redis connection error (reconnecting): ${error.message}`);
  });
  return redis;
}

/**
 * Closes a connection: QUIT (pending replies arrive first) when it is up, else disconnects at
 * once, so closing never waits for a Redis that is down.
 */
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis.status === "ready") {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through
    }
  }
  redis.disconnect();
}

let warned = false;

/**
 * Warns once per process when the server's `maxmemory-policy` is not `noeviction` (an evicting
 * Redis silently loses jobs). Servers that disable CONFIG are not checked.
 */
export async function warnUnlessNoEviction(redis: Redis): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = await redis.config("GET", "maxmemory-policy") as unknown as string[];
    policy = reply[1];
  } catch {
    return;
  }
  if (policy !== undefined && policy !== "noeviction" && !warned) {
    warned = true;
    console.warn(
      `sluice: Redis maxmemory-policy is ${JSON.stringify(policy)}; use "noeviction", ` +
        "or Redis may evict jobs under memory pressure",
    );
  }
}

/**
 * Deletes every key of `namespace` (SCAN + UNLINK): for tests and tear-down, not for hot paths.
 * `target` is an ioredis client (left open) or a URL (a connection is opened and closed).
 */
export async function dropNamespace(target: Redis | string, namespace: string): Promise<number> {
  const redis = typeof target === "string" ? openConnection(target) : target;
  try {
    return await deleteKeys(redis, namespacePattern(namespace));
  } finally {
    if (typeof target === "string") await closeConnection(redis);
  }
}

/** The part of a Redis client `deleteKeys` needs. */
export interface KeyScanner {
  /** SCAN cursor MATCH pattern COUNT n. */
  scan(cursor: string, match: "MATCH", pattern: string, count: "COUNT", n: number): Promise<[
    string,
    string[],
  ]>;
  /** UNLINK keys. */
  unlink(...keys: string[]): Promise<number>;
}

/** Deletes the keys matching `pattern` (SCAN + UNLINK); returns how many. Not for hot paths. */
export async function deleteKeys(redis: KeyScanner, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}
