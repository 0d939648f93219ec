/**
 * Command-line configuration: each setting from its flag, else its environment variable, else a
 * default. The flags every command shares are declared here.
 *
 * @module
 */
import type { ParseArgsOptionsConfig } from "node:util";

/** Flags every command accepts. */
export const COMMON_FLAGS: ParseArgsOptionsConfig = {
  store: { type: "string" },
  namespace: { type: "string" },
  functions: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** Flags of commands that serve the gateway. */
export const SERVE_FLAGS: ParseArgsOptionsConfig = {
  port: { type: "string" },
  hostname: { type: "string" },
};

/** The environment variables the commands read. */
export const ENVIRONMENT = `Environment (flags win):
  REDIS_URL           store URL (else memory://)           SLUICE_NAMESPACE   Redis key namespace
  SLUICE_FUNCTIONS    functions folder (./functions)       SLUICE_QUEUES      queues a worker serves
  SLUICE_CONCURRENCY  worker slots                         SLUICE_ISOLATES    isolates of a worker
  PORT                gateway port (8000)                  SLUICE_ADMIN_TOKEN / SLUICE_READ_TOKEN`;

/** Parsed flag values. */
export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Reads an environment variable (empty counts as unset). */
export function env(name: string): string | undefined {
  return Deno.env.get(name) || undefined;
}

/** A string flag. */
export function flag(values: Flags, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/** A number flag (or variable): finite, >= 0, and > 0 unless `allowZero`. */
export function numberOf(
  value: string | undefined,
  name: string,
  allowZero = false,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new TypeError(
      `--${name} must be a ${allowZero ? "non-negative" : "positive"} number, got ${value}`,
    );
  }
  return n;
}

/** Where a command's engine lives and what it runs. */
export interface EngineConfig {
  /** Store URL. */
  store: string;
  /** Redis namespace. */
  namespace: string;
  /** Functions folder. */
  functions: string;
}

/** The engine settings of `values`. */
export function engineConfig(values: Flags): EngineConfig {
  return {
    store: flag(values, "store") ?? env("REDIS_URL") ?? "memory://",
    namespace: flag(values, "namespace") ?? env("SLUICE_NAMESPACE") ?? "default",
    functions: flag(values, "functions") ?? env("SLUICE_FUNCTIONS") ?? "./functions",
  };
}

/** Gateway settings: port, address, tokens. */
export interface ServeConfig {
  /** Port. */
  port: number;
  /** Address, when given. */
  hostname: string | undefined;
  /** Tokens from the environment. */
  tokens: { admin?: string; read?: string };
}

/** The gateway settings of `values`. */
export function serveConfig(values: Flags): ServeConfig {
  const port = numberOf(flag(values, "port") ?? env("PORT") ?? "8000", "port", true)!;
  if (!Number.isInteger(port) || port > 65535) {
    throw new TypeError(`--port must be 0-65535, got ${port}`);
  }
  const admin = env("SLUICE_ADMIN_TOKEN");
  const read = env("SLUICE_READ_TOKEN");
  return {
    port,
    hostname: flag(values, "hostname"),
    tokens: { ...(admin ? { admin } : {}), ...(read ? { read } : {}) },
  };
}
