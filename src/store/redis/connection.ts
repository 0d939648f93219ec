/**
 * Redis connections of the store: fail fast while Redis is unreachable, one log line per state
 * change, a bounded wait for the first connection, the eviction-policy check, and
 * `dropNamespace`.
 *
 * A `StoreConnection` queues commands only until it is first ready (so a store can be used at
 * once). From then on a command sent while the connection is down fails at once, and a command
 * in flight when it drops fails too (it may or may not have run), each with a
 * `StoreUnavailableError`, and a refused permission (NOPERM) is a `StoreAccessError` (both
 * mapped in `connection_state.ts`). ioredis keeps reconnecting in the background; the command
 * connection logs "lost" once and "reconnected" once per outage. A URL with `?cluster=1` opens a
 * `StoreCluster` (`cluster_connection.ts`) that behaves the same on a Redis Cluster.
 *
 * @module
 */
import { type Cluster, Redis } from "ioredis";
import { StoreUnavailableError } from "../../job/errors.ts";
import { consoleLogger, type Logger } from "../../job/logger.ts";
import { StoreCluster } from "./cluster_connection.ts";
import {
  ConnectionState,
  redactUrl,
  retryDelay,
  type StoreClientInfo,
  urlUser,
} from "./connection_state.ts";
import { namespacePattern } from "./keys.ts";
import { parseStoreUrl } from "./store_url.ts";

export { describeConnectionError, redactUrl } from "./connection_state.ts";

/** A client the store runs on: one Redis server, or a Redis Cluster (`?cluster=1`). */
export type RedisClient = Redis | Cluster;

/** The Redis URL used when none is given. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** How long a command waits for the first connection at most, by default (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Options of a store connection. */
export interface ConnectionOptions {
  /** Where the connection logs (state changes, the eviction warning); default the console. */
  logger?: Logger;
  /** Log "lost" and "reconnected" (default true; duplicates, e.g. for SUBSCRIBE, do not). */
  reportState?: boolean;
}

/**
 * An ioredis client for the store (auto-pipelining off: on loopback it cost a peer 38% of worker
 * throughput, and the store batches inside its scripts instead). See the module doc.
 */
export class StoreConnection extends Redis implements StoreClientInfo {
  /** The URL, password hidden, for messages. */
  readonly where: string;
  /** The ACL user of the URL ("default" when it names none). */
  readonly user: string;
  /** Where this connection logs. */
  readonly logger: Logger;
  #url: string;
  #state: ConnectionState;

  /** Connects to `url` (in the background). */
  constructor(url: string, options: ConnectionOptions = {}) {
    const parsed = parseStoreUrl(url);
    super(parsed.url, {
      enableAutoPipelining: false,
      maxRetriesPerRequest: 0,
      retryStrategy: retryDelay,
      ...(parsed.ca ? { tls: { ca: parsed.ca } } : {}),
    });
    this.#url = url;
    this.where = redactUrl(url);
    this.user = urlUser(url);
    this.logger = options.logger ?? consoleLogger;
    this.#state = new ConnectionState(
      this,
      this.where,
      this.logger,
      options.reportState ?? true,
      // from now on, fail fast while disconnected instead of queueing without bound
      () => this.options.enableOfflineQueue = false,
    );
  }

  /** Why the latest connection attempt failed, in a few words; null before any failure. */
  get lastProblem(): string | null {
    return this.#state.lastProblem;
  }

  /** True once the connection was ready at least once. */
  get everReady(): boolean {
    return this.#state.everReady;
  }

  /** A second connection to the same server, with the same logger and no state lines. */
  twin(): StoreConnection {
    return new StoreConnection(this.#url, { logger: this.logger, reportState: false });
  }

  /** Marks a close as asked for (no "lost" line), then closes: see `closeConnection`. */
  markClosing(): void {
    this.#state.markClosing();
  }

  /**
   * Sends `command`, turning connection failures into `StoreUnavailableError` and refused
   * permissions into `StoreAccessError`.
   */
  override sendCommand(...args: Parameters<Redis["sendCommand"]>): unknown {
    return this.#state.mapReply(super.sendCommand(...args) as Promise<unknown>, this.user);
  }

  /** The error a command gets while Redis cannot be reached. */
  unavailable(cause?: unknown): StoreUnavailableError {
    return this.#state.unavailable(cause);
  }
}

/** The logger of a store connection (one server or a cluster), else the console's. */
export function loggerOf(redis: RedisClient): Logger {
  return isStoreClient(redis) ? redis.logger : consoleLogger;
}

/** True for the store's own connections (one server or a cluster). */
function isStoreClient(redis: RedisClient): redis is StoreConnection | StoreCluster {
  return redis instanceof StoreConnection || redis instanceof StoreCluster;
}

/** Opens a command connection to `url`: one server, or a Redis Cluster for `?cluster=1`. */
export function openConnection(
  url: string = DEFAULT_REDIS_URL,
  options: ConnectionOptions = {},
): RedisClient {
  return parseStoreUrl(url).cluster
    ? new StoreCluster(url, options)
    : new StoreConnection(url, options);
}

/** A second connection like `redis` (same server and logger, no state lines), e.g. for SUBSCRIBE. */
export function duplicateConnection(redis: RedisClient): RedisClient {
  if (isStoreClient(redis)) return redis.twin();
  if ("nodes" in redis) return redis.duplicate(undefined, { enableAutoPipelining: false });
  return redis.duplicate({ enableAutoPipelining: false });
}

/**
 * Waits until `redis` is ready, at most `timeoutMs`; rejects with a `StoreUnavailableError`
 * saying in one line why not: `cannot reach Redis at redis://127.0.0.1:1: connection refused`.
 */
export function waitUntilReady(
  redis: RedisClient,
  timeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  const where = isStoreClient(redis) ? redis.where : "the given client";
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("end", onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new StoreUnavailableError(`cannot reach Redis at ${where}: closed`));
    const timer = setTimeout(() => {
      const why = isStoreClient(redis) ? redis.lastProblem : null;
      done(
        new StoreUnavailableError(
          `cannot reach Redis at ${where}: ${why ?? `no answer within ${timeoutMs} ms`}`,
        ),
      );
    }, timeoutMs);
    redis.on("ready", onReady);
    redis.on("end", onEnd);
  });
}

/**
 * Closes a connection: QUIT (pending replies arrive first) when it is up, else disconnects at
 * once, so closing never waits for a Redis that is down.
 */
export async function closeConnection(redis: RedisClient): Promise<void> {
  if (isStoreClient(redis)) redis.markClosing();
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
 * Redis silently loses jobs). Servers that disable CONFIG (or users not allowed it) are not
 * checked.
 */
export async function warnUnlessNoEviction(redis: RedisClient): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = await redis.config("GET", "maxmemory-policy") as unknown as string[];
    policy = reply[1];
  } catch {
    return;
  }
  if (policy !== undefined && policy !== "noeviction" && !warned) {
    warned = true;
    loggerOf(redis).warn(
      `Redis maxmemory-policy is ${JSON.stringify(policy)}; use "noeviction", ` +
        "or Redis may evict jobs under memory pressure",
    );
  }
}

/**
 * Deletes every key of `namespace` (SCAN + UNLINK): for tests and tear-down, not for hot paths.
 * `target` is an ioredis client (left open) or a URL (a connection is opened and closed). On a
 * cluster every master is scanned.
 */
export async function dropNamespace(
  target: RedisClient | string,
  namespace: string,
): Promise<number> {
  const redis = typeof target === "string" ? openConnection(target) : target;
  try {
    if (!("nodes" in redis)) return await deleteKeys(redis, namespacePattern(namespace));
    await waitUntilReady(redis);
    let deleted = 0;
    for (const node of redis.nodes("master")) {
      deleted += await deleteKeys(node, namespacePattern(namespace));
    }
    return deleted;
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
