/**
 * Opens a store from a URL: `memory://`, `redis://host:port/db` or `rediss://...`. `openStore`
 * returns at once (a Redis store connects in the background); `connectStore` waits, a bounded
 * time, until Redis answers, and fails with one clear line when it does not, or when the URL's
 * ACL user lacks a permission the store needs (`StoreAccessError`). A `?cluster=1` URL names a
 * Redis Cluster; `rediss://` connects with TLS (`?tls_ca=/path/ca.pem` to trust a private CA).
 *
 * @module
 */
import type { Clock } from "../job/clock.ts";
import type { Logger } from "../job/logger.ts";
import { MemoryStore } from "./memory/memory_store.ts";
import {
  closeConnection,
  DEFAULT_CONNECT_TIMEOUT_MS,
  openConnection,
  redactUrl,
  type RedisClient,
  waitUntilReady,
} from "./redis/connection.ts";
import { RedisStore, type RedisStoreOptions } from "./redis/redis_store.ts";
import { checkAccess } from "./redis/access.ts";
import { DEFAULT_NAMESPACE, Keys } from "./redis/keys.ts";
import type { Store } from "./store.ts";

/** Options passed to the store a URL opens. */
export interface OpenStoreOptions {
  /** Namespace (Redis key prefix); ignored by the memory store. */
  namespace?: string;
  /** The store's clock. */
  clock?: Clock;
  /** Where the Redis connection logs its state changes (lost, reconnected); default console. */
  logger?: Logger;
}

/** Options of `connectStore`. */
export interface ConnectStoreOptions extends OpenStoreOptions {
  /** How long to wait for Redis at most (ms, default 5,000). */
  connectTimeoutMs?: number;
}

/** A `RedisStore` on a connection opened for it (with the caller's logger), closed with it. */
class OwnRedisStore extends RedisStore {
  /** The command connection. */
  readonly connection: RedisClient;
  /** The namespace prefix of its keys. */
  readonly prefix: string;

  constructor(connection: RedisClient, options: Omit<RedisStoreOptions, "redis" | "url">) {
    super({ ...options, redis: connection });
    this.connection = connection;
    this.prefix = new Keys(options.namespace ?? DEFAULT_NAMESPACE).prefix;
  }

  override async close(): Promise<void> {
    await super.close();
    await closeConnection(this.connection);
  }
}

/** Opens the store `url` names; throws a `TypeError` for other schemes. */
export function openStore(url: string, options: OpenStoreOptions = {}): Store {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new TypeError(
      `store: not a URL: ${JSON.stringify(redactUrl(url))} (use memory:// or redis://host:port)`,
    );
  }
  const clock = options.clock ? { clock: options.clock } : {};
  switch (scheme) {
    case "memory:":
      return new MemoryStore(clock);
    case "redis:":
    case "rediss:":
      return new OwnRedisStore(openConnection(url, { logger: options.logger }), {
        ...clock,
        ...(options.namespace ? { namespace: options.namespace } : {}),
      });
    default:
      throw new TypeError(
        `store: unsupported scheme ${JSON.stringify(scheme)} in ${
          JSON.stringify(redactUrl(url))
        } ` +
          "(use memory://, redis:// or rediss://)",
      );
  }
}

/**
 * Opens the store `url` names and, for Redis, waits until it answers, at most
 * `connectTimeoutMs`; rejects with a `StoreUnavailableError` such as `cannot reach Redis at
 * redis://127.0.0.1:1: connection refused` (and closes what it opened).
 */
export async function connectStore(url: string, options: ConnectStoreOptions = {}): Promise<Store> {
  const store = openStore(url, options);
  if (store instanceof OwnRedisStore) {
    try {
      await waitUntilReady(
        store.connection,
        options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      );
      await checkAccess(store.connection, store.prefix);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}
