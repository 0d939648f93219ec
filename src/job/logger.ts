/**
 * The logger interface Sluice writes to (defaults to the console).
 *
 * @module
 */

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

function line(message: string, fields?: Record<string, unknown>): string {
  return fields && Object.keys(fields).length ? `${message} ${JSON.stringify(fields)}` : message;
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
