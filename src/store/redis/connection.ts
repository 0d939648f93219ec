/**
 * Redis connections of the store: fail fast while Redis is unreachable, one log line per state
 * change, a bounded wait for the first connection, the eviction-policy check, and
 * `dropNamespace`.
 *
 * A `StoreConnection` queues commands only until it is first ready (so a store can be used at
 * once). From then on a command sent while the connection is down fails at once, and a command
 * in flight when it drops fails too (it may or may not have run), each with a
 * `StoreUnavailableError`: this is the one place where connection errors become that error.
 * ioredis keeps reconnecting in the background; the command connection logs "lost" once and
 * "reconnected" once per outage.
 *
 * @module
 */
import { Redis } from "ioredis";
import { StoreFullError, StoreUnavailableError } from "../../job/errors.ts";
import { consoleLogger, type Logger } from "../../job/logger.ts";
import { namespacePattern } from "./keys.ts";

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

/** `url` with any password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@]*)@/, (_, auth: string) => `//${auth.split(":")[0]}:***@`);
}

const UNAVAILABLE = [
  "Connection is closed.",
  "Stream isn't writeable",
  "Reached the max retries per request limit",
];

/** Says in a few words why a connection failed, e.g. "connection refused". */
export function describeConnectionError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ETIMEDOUT":
      return "connection timed out";
    case "ECONNRESET":
    case "EPIPE":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
  }
  if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) {
    return `authentication failed (${message})`;
  }
  return message;
}

/** Reconnect delays: 50 ms doubling up to 2 s, with jitter, for as long as it takes. */
function retryDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt - 1, 10), 2_000) + Math.floor(Math.random() * 100);
}

function isUnavailable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return UNAVAILABLE.some((prefix) => message.startsWith(prefix));
}

/** True for Redis's refusal of a write at `maxmemory` (also when raised inside a script). */
function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && /\bOOM command not allowed\b/.test(error.message);
}

/**
 * An ioredis client for the store (auto-pipelining off: on loopback it cost a peer 38% of worker
 * throughput, and the store batches inside its scripts instead). See the module doc.
 */
export class StoreConnection extends Redis {
  /** The URL, password hidden, for messages. */
  readonly where: string;
  /** Where this connection logs. */
  readonly logger: Logger;
  #url: string;
  #report: boolean;
  #everReady = false;
  #lost = false;
  #closing = false;
  #lastError: unknown = null;

  /** Connects to `url` (in the background). */
  constructor(url: string, options: ConnectionOptions = {}) {
    super(url, { enableAutoPipelining: false, maxRetriesPerRequest: 0, retryStrategy: retryDelay });
    this.#url = url;
    this.where = redactUrl(url);
    this.logger = options.logger ?? consoleLogger;
    this.#report = options.reportState ?? true;
    this.on("ready", () => this.#ready());
    this.on("error", (error: unknown) => this.#lastError = error);
    this.on("close", () => this.#closed());
  }

  /** Why the latest connection attempt failed, in a few words; null before any failure. */
  get lastProblem(): string | null {
    return this.#lastError === null ? null : describeConnectionError(this.#lastError);
  }

  /** True once the connection was ready at least once. */
  get everReady(): boolean {
    return this.#everReady;
  }

  /** A second connection to the same server, with the same logger and no state lines. */
  twin(): StoreConnection {
    return new StoreConnection(this.#url, { logger: this.logger, reportState: false });
  }

  /** Marks a close as asked for (no "lost" line), then closes: see `closeConnection`. */
  markClosing(): void {
    this.#closing = true;
  }

  /** Sends `command`, turning connection failures into `StoreUnavailableError`. */
  override sendCommand(...args: Parameters<Redis["sendCommand"]>): unknown {
    const reply = super.sendCommand(...args) as Promise<unknown>;
    const mapped = reply.then(undefined, (error: unknown) => {
      if (isUnavailable(error)) throw this.unavailable(error);
      throw isOutOfMemory(error) ? this.full(error) : error;
    });
    // ioredis resends some commands itself and drops the promise: keep that from being an
    // unhandled rejection (a caller that awaits `mapped` still gets the error)
    mapped.catch(() => {});
    return mapped;
  }

  /** The error a command gets while Redis cannot be reached. */
  unavailable(cause?: unknown): StoreUnavailableError {
    const why = this.lastProblem ?? "connection lost";
    return new StoreUnavailableError(
      `Redis at ${this.where} is unavailable (${why}); reconnecting in the background, retry shortly`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** The error a write gets while Redis is full (`maxmemory` reached under `noeviction`). */
  full(cause: unknown): StoreFullError {
    return new StoreFullError(
      `Redis at ${this.where} is full (maxmemory reached, policy noeviction): the write was ` +
        "refused and nothing of it stored; retry once jobs finish, or give Redis more memory",
      { cause },
    );
  }

  #ready(): void {
    if (!this.#everReady) {
      this.#everReady = true;
      // from now on, fail fast while disconnected instead of queueing without bound
      this.options.enableOfflineQueue = false;
    }
    this.#lastError = null;
    if (this.#lost) {
      this.#lost = false;
      if (this.#report) this.logger.info("Redis reconnected", { redis: this.where });
    }
  }

  #closed(): void {
    if (!this.#everReady || this.#lost || this.#closing) return;
    this.#lost = true;
    if (this.#report) {
      this.logger.warn(
        "Redis connection lost; reconnecting in the background (calls fail fast until then)",
        { redis: this.where, ...(this.lastProblem ? { reason: this.lastProblem } : {}) },
      );
    }
  }
}

/** Opens a command connection to `url`. */
export function openConnection(
  url: string = DEFAULT_REDIS_URL,
  options: ConnectionOptions = {},
): Redis {
  return new StoreConnection(url, options);
}

/** A second connection like `redis` (same server and logger, no state lines), e.g. for SUBSCRIBE. */
export function duplicateConnection(redis: Redis): Redis {
  if (redis instanceof StoreConnection) return redis.twin();
  return redis.duplicate({ enableAutoPipelining: false });
}

/**
 * Waits until `redis` is ready, at most `timeoutMs`; rejects with a `StoreUnavailableError`
 * saying in one line why not: `cannot reach Redis at redis://127.0.0.1:1: connection refused`.
 */
export function waitUntilReady(
  redis: Redis,
  timeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  const where = redis instanceof StoreConnection ? redis.where : "the given client";
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
      const why = redis instanceof StoreConnection ? redis.lastProblem : null;
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
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis instanceof StoreConnection) redis.markClosing();
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
    const logger = redis instanceof StoreConnection ? redis.logger : consoleLogger;
    logger.warn(
      `Redis maxmemory-policy is ${JSON.stringify(policy)}; use "noeviction", ` +
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
