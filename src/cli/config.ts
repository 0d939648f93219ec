/**
 * The options several commands share, each declared once, and how they are read into settings:
 * where a client command points (a gateway URL or a Redis URL), the store a serving command opens,
 * the gateway it serves, and how it logs.
 *
 * @module
 */
import { DEFAULT_CONNECT_TIMEOUT_MS } from "../store/redis/connection.ts";
import {
  createLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
} from "../job/logger.ts";
import type { Args, Flag } from "./flags.ts";

/** The gateway a client command talks to when nothing else is said. */
export const DEFAULT_URL = "http://127.0.0.1:8000";

const CONNECT_TIMEOUT: Flag = {
  name: "connect-timeout",
  value: "MS",
  help: "how long to wait for Redis at start",
  env: "SLUICE_REDIS_CONNECT_TIMEOUT_MS",
  default: String(DEFAULT_CONNECT_TIMEOUT_MS),
};

const NAMESPACE: Flag = {
  name: "namespace",
  value: "NAME",
  help: "Redis key namespace",
  env: "SLUICE_NAMESPACE",
  default: "default",
};

/** The functions folder option. */
export const FUNCTIONS_FLAG: Flag = {
  name: "functions",
  value: "DIR",
  help: "the functions folder",
  env: "SLUICE_FUNCTIONS",
  default: "./functions",
};

/** Where a client command points: a running gateway, or its Redis. */
export const TARGET_FLAGS: readonly Flag[] = [
  {
    name: "url",
    value: "URL",
    help: "the gateway of a running Sluice; token from SLUICE_ADMIN_TOKEN",
    env: "SLUICE_URL",
    default: DEFAULT_URL,
  },
  { name: "store", value: "URL", help: "its Redis instead (redis://HOST:PORT)", env: "REDIS_URL" },
  { ...NAMESPACE, help: "Redis key namespace (with --store)" },
  { ...CONNECT_TIMEOUT, help: "how long to wait for Redis (with --store)" },
];

/** The store of a serving command; `fallback` is its default store (none: Redis required). */
export function storeFlags(fallback?: string): readonly Flag[] {
  return [
    {
      name: "store",
      value: "URL",
      help: fallback
        ? "store URL: memory:// or redis://HOST:PORT"
        : "Redis URL (redis://HOST:PORT)",
      env: "REDIS_URL",
      ...(fallback ? { default: fallback } : {}),
    },
    NAMESPACE,
    FUNCTIONS_FLAG,
    CONNECT_TIMEOUT,
  ];
}

/** The gateway a serving command serves. */
export const SERVE_FLAGS: readonly Flag[] = [
  { name: "port", value: "N", help: "gateway port", env: "PORT", default: "8000" },
  {
    name: "hostname",
    value: "ADDR",
    help: "address to listen on; without a token only loopback is allowed",
    default: "127.0.0.1, or 0.0.0.0 with a token",
  },
  {
    name: "expose-stacks",
    help: "show stack traces to read-token callers too (admin callers always see them)",
  },
];

/** How a serving command logs. */
export function logFlags(format: LogFormat): readonly Flag[] {
  return [
    {
      name: "log-format",
      value: "FORMAT",
      help: "json (one object per line) or text",
      env: "SLUICE_LOG_FORMAT",
      default: format,
    },
    {
      name: "log-level",
      value: "LEVEL",
      help: "debug, info, warn or error",
      env: "SLUICE_LOG_LEVEL",
      default: "info",
    },
  ];
}

/** Where a serving command's engine lives and what it runs. */
export interface StoreConfig {
  /** Store URL; undefined when none was given and there is no default. */
  store: string | undefined;
  /** Redis namespace. */
  namespace: string;
  /** Functions folder. */
  functions: string;
  /** How long to wait for Redis at start (ms). */
  connectTimeoutMs: number;
}

/** The store settings of `args` (`fallback` when no store is given; none: undefined store). */
export function storeConfig(args: Args, fallback?: string): StoreConfig {
  return {
    store: args.string("store") ?? fallback,
    namespace: args.string("namespace") ?? "default",
    functions: args.string("functions") ?? "./functions",
    connectTimeoutMs: args.ms("connect-timeout") ?? DEFAULT_CONNECT_TIMEOUT_MS,
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
  /** Stack traces for read-token callers too. */
  exposeStacks: boolean;
}

/** The gateway settings of `args`. */
export function serveConfig(args: Args): ServeConfig {
  const admin = Deno.env.get("SLUICE_ADMIN_TOKEN") || undefined;
  const read = Deno.env.get("SLUICE_READ_TOKEN") || undefined;
  return {
    port: args.count("port", 0, 65535) ?? 8000,
    hostname: args.string("hostname"),
    tokens: { ...(admin ? { admin } : {}), ...(read ? { read } : {}) },
    exposeStacks: args.has("expose-stacks"),
  };
}

/** The logger `args` asks for (`format` by default), writing lines to `write`. */
export function loggerOf(args: Args, format: LogFormat, write: (line: string) => void): Logger {
  return createLogger({
    format: args.choice("log-format", LOG_FORMATS) ?? format,
    level: args.choice("log-level", LOG_LEVELS) ?? "info",
    write,
  });
}
