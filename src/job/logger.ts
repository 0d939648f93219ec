/**
 * The logger interface Sluice writes to, the console default, and `createLogger`: one format per
 * process (JSON lines or text), a level, and string fields capped so that no log line can grow
 * without bound (a 900 KB error message is logged as its first 8 KiB).
 *
 * @module
 */
import { StoreUnavailableError } from "./errors.ts";
import { truncateText } from "./truncate.ts";

/** Structured logging: a message plus optional fields. */
export interface Logger {
  /** Debug detail. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Normal operation. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something went wrong but work goes on. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Something failed. */
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A log level, from the most to the least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The levels in order of severity. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** How log lines look: one JSON object per line, or `time LEVEL message key=value ...`. */
export type LogFormat = "json" | "text";

/** The formats. */
export const LOG_FORMATS: readonly LogFormat[] = ["json", "text"];

/** Longest string field value logged, in characters; longer ones are cut with a note. */
export const LOG_FIELD_LIMIT = 8 * 1024;

/** Options of `createLogger`. */
export interface LogOptions {
  /** Line format (default `json`). */
  format?: LogFormat;
  /** Lines below this level are dropped (default `info`). */
  level?: LogLevel;
  /** Where a finished line goes (default: stdout). */
  write?: (line: string) => void;
  /** The time of a line (default: `Date.now`). */
  now?: () => number;
}

function capped(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = typeof value === "string" ? truncateText(value, LOG_FIELD_LIMIT) : value;
  }
  return out;
}

function textValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** A logger writing one line per entry in `format`, dropping entries below `level`. */
export function createLogger(options: LogOptions = {}): Logger {
  const format = options.format ?? "json";
  const min = LOG_LEVELS.indexOf(options.level ?? "info");
  const encoder = new TextEncoder();
  const write = options.write ?? ((line: string) => {
    Deno.stdout.writeSync(encoder.encode(line + "\n"));
  });
  const now = options.now ?? Date.now;
  const log = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const at = new Date(now()).toISOString();
    const rest = capped(fields);
    if (format === "json") {
      // the line's own keys come first and win; a field of the same name is kept as `_name`
      const line: Record<string, unknown> = { at, level, event: message };
      for (const [k, v] of Object.entries(rest)) line[k in line ? `_${k}` : k] = v;
      write(JSON.stringify(line));
    } else {
      const pairs = Object.entries(rest).map(([k, v]) => ` ${k}=${textValue(v)}`).join("");
      write(`${at} ${level.toUpperCase().padEnd(5)} ${message}${pairs}`);
    }
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

function isOutage(fields: Record<string, unknown> | undefined): boolean {
  const error = fields?.error;
  if (error instanceof StoreUnavailableError) return true;
  return typeof error === "string" && error.startsWith("StoreUnavailableError");
}

/**
 * `logger`, with the warnings and errors that an unreachable store causes logged at debug level:
 * the store's connection logs the outage once ("lost", then "reconnected"), so the loops that
 * retry meanwhile (fetching, heartbeats, leases) do not add a line per retry.
 */
export function quietOutages(logger: Logger): Logger {
  return {
    debug: (message, fields) => logger.debug(message, fields),
    info: (message, fields) => logger.info(message, fields),
    warn: (message, fields) => (isOutage(fields) ? logger.debug : logger.warn)(message, fields),
    error: (message, fields) => (isOutage(fields) ? logger.debug : logger.error)(message, fields),
  };
}

function line(message: string, fields?: Record<string, unknown>): string {
  return fields && Object.keys(fields).length
    ? `${message} ${JSON.stringify(capped(fields))}`
    : message;
}

/** Logs to the console; debug lines only when `SLUICE_DEBUG` is set. */
export const consoleLogger: Logger = Object.freeze({
  debug(message: string, fields?: Record<string, unknown>) {
    if (debugEnabled()) console.debug(line(message, fields));
  },
  info: (message: string, fields?: Record<string, unknown>) => console.info(line(message, fields)),
  warn: (message: string, fields?: Record<string, unknown>) => console.warn(line(message, fields)),
  error: (message: string, fields?: Record<string, unknown>) =>
    console.error(line(message, fields)),
});

/** Discards everything: for tests and benchmarks. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

function debugEnabled(): boolean {
  try {
    return Deno.env.get("SLUICE_DEBUG") !== undefined;
  } catch {
    return false; // no env permission
  }
}
