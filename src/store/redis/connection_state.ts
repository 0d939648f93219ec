/**
 * What the two kinds of store connection share (one server, `connection.ts`; a Redis Cluster,
 * `cluster_connection.ts`): the state they log ("lost" once, "reconnected" once per outage), the
 * words a connection failure is described with, and the one mapping of command errors: a
 * connection failure becomes a `StoreUnavailableError`, a refused permission (NOPERM) a
 * `StoreAccessError`.
 *
 * @module
 */
import { StoreAccessError, StoreFullError, StoreUnavailableError } from "../../job/errors.ts";
import type { Logger } from "../../job/logger.ts";

/** `url` with any password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@]*)@/, (_, auth: string) => `//${auth.split(":")[0]}:***@`);
}

/** The user name of `url` ("default" when it names none), for messages. */
export function urlUser(url: string): string {
  try {
    const parsed = new URL(url);
    return decodeURIComponent(parsed.username) || "default";
  } catch {
    return "default";
  }
}

const UNAVAILABLE = [
  "Connection is closed.",
  "Stream isn't writeable",
  "Reached the max retries per request limit",
  "Cluster isn't ready",
  "Cluster is disconnected",
  "None of startup nodes is available",
  "Failed to refresh slots cache",
  "CLUSTERDOWN",
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
export function retryDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt - 1, 10), 2_000) + Math.floor(Math.random() * 100);
}

/** True when `error` says the connection is down (the command may or may not have run). */
export function isUnavailable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return UNAVAILABLE.some((prefix) => message.startsWith(prefix));
}

/** True for Redis's refusal of a write at `maxmemory` (also when raised inside a script). */
export function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && /\bOOM command not allowed\b/.test(error.message);
}

/**
 * The permission a refusal names, e.g. "the 'evalsha' command"; null for other errors. Redis
 * refuses with NOPERM, or, for a command inside a script, "ERR The user executing the script
 * can't ...".
 */
export function refusedPermission(error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  const inScript = /The user executing the script can't (.+?)(?:\s+script:.*)?$/s.exec(message);
  if (inScript) return `${inScript[1]!.trim()} (inside a Sluice script)`;
  const at = message.indexOf("NOPERM");
  if (at < 0) return null;
  const detail = message.slice(at + "NOPERM".length).replace(/^\s*(this user has )?/, "");
  const named = /no permissions to (run|access) (.+?)(?:\s+script:.*)?$/s.exec(detail);
  return (named?.[2] ?? detail).trim();
}

/** A `StoreAccessError` for the permission `error` (a NOPERM reply) says is missing. */
export function accessError(
  where: string,
  user: string,
  permission: string,
  cause?: unknown,
): StoreAccessError {
  return new StoreAccessError(
    `Redis user "${user}" at ${where} lacks a permission Sluice needs: ${permission} ` +
      "(see docs/security.md for the ACL rules)",
    cause === undefined ? undefined : { cause },
  );
}

/** What every store connection tells about itself. */
export interface StoreClientInfo {
  /** The URL, password hidden, for messages. */
  readonly where: string;
  /** The ACL user of the URL ("default" when it names none). */
  readonly user: string;
  /** Where this connection logs. */
  readonly logger: Logger;
  /** Why the latest connection attempt failed, in a few words; null before any failure. */
  readonly lastProblem: string | null;
}

/** The event source a `ConnectionState` watches (an ioredis client or cluster). */
interface Emitter {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Tracks one connection's state and logs its changes. */
export class ConnectionState {
  #logger: Logger;
  #where: string;
  #report: boolean;
  #everReady = false;
  #lost = false;
  #closing = false;
  #lastError: unknown = null;

  /**
   * Watches `client`; `firstReady` runs once, when it is first ready. `report` false: no
   * "lost"/"reconnected" lines (for duplicates, e.g. for SUBSCRIBE).
   */
  constructor(
    client: Emitter,
    where: string,
    logger: Logger,
    report: boolean,
    firstReady: () => void,
  ) {
    this.#where = where;
    this.#logger = logger;
    this.#report = report;
    client.on("ready", () => this.#ready(firstReady));
    client.on("error", (error: unknown) => this.#lastError = error);
    client.on("close", () => this.#closed());
  }

  /** Why the latest connection attempt failed, in a few words; null before any failure. */
  get lastProblem(): string | null {
    return this.#lastError === null ? null : describeConnectionError(this.#lastError);
  }

  /** True once the connection was ready at least once. */
  get everReady(): boolean {
    return this.#everReady;
  }

  /** Marks a close as asked for (no "lost" line). */
  markClosing(): void {
    this.#closing = true;
  }

  /** The error a command gets while Redis cannot be reached. */
  unavailable(cause?: unknown): StoreUnavailableError {
    const why = this.lastProblem ?? "connection lost";
    return new StoreUnavailableError(
      `Redis at ${this.#where} is unavailable (${why}); reconnecting in the background, retry shortly`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** The error a write gets while Redis is full (`maxmemory` reached under `noeviction`). */
  full(cause: unknown): StoreFullError {
    return new StoreFullError(
      `Redis at ${this.#where} is full (maxmemory reached, policy noeviction): the write was ` +
        "refused and nothing of it stored; retry once jobs finish, or give Redis more memory",
      { cause },
    );
  }

  /** The error `error` of a command becomes: unavailable, full, access refused, or itself. */
  mapError(error: unknown, user: string): unknown {
    if (isUnavailable(error)) return this.unavailable(error);
    if (isOutOfMemory(error)) return this.full(error);
    const permission = refusedPermission(error);
    return permission === null ? error : accessError(this.#where, user, permission, error);
  }

  /** `reply` with its errors mapped by `mapError`, and never an unhandled rejection. */
  mapReply(reply: Promise<unknown>, user: string): Promise<unknown> {
    const mapped = reply.then(undefined, (error: unknown) => {
      throw this.mapError(error, user);
    });
    // ioredis resends some commands itself and drops the promise: keep that from being an
    // unhandled rejection (a caller that awaits `mapped` still gets the error)
    mapped.catch(() => {});
    return mapped;
  }

  #ready(firstReady: () => void): void {
    if (!this.#everReady) {
      this.#everReady = true;
      firstReady();
    }
    this.#lastError = null;
    if (this.#lost) {
      this.#lost = false;
      if (this.#report) this.#logger.info("Redis reconnected", { redis: this.#where });
    }
  }

  #closed(): void {
    if (!this.#everReady || this.#lost || this.#closing) return;
    this.#lost = true;
    if (this.#report) {
      this.#logger.warn(
        "Redis connection lost; reconnecting in the background (calls fail fast until then)",
        { redis: this.#where, ...(this.lastProblem ? { reason: this.lastProblem } : {}) },
      );
    }
  }
}
