/**
 * The messages between the isolate pool (main thread) and an isolate (`isolate_main.ts`), and the
 * small helpers both sides use to move errors and bytes across the boundary.
 *
 * Every job message carries `run`, a number the pool gives each attempt it starts (a job id may
 * run twice on one node: a lease lost, then the job reserved again while the first run spins on).
 *
 * @module
 */
import type { EncodingDefaults } from "../codec/payload_encoder.ts";
import type { JobErrorInfo } from "../job/job.ts";
import type { AttemptFacts } from "./job_context.ts";

/** The fields of a job an isolate needs to run one attempt (never the lease token). */
export type IsolateJob = AttemptFacts;

/** A log level of `Logger`. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Main thread -> isolate. */
export type ToIsolate =
  /** First message: load these modules (function files or a manifest), encode with `encoding`. */
  | {
    type: "init";
    modules: string[];
    encoding: EncodingDefaults;
    /** Grants to revoke once the modules are loaded (given only to load the code). */
    revoke: Deno.PermissionDescriptor[];
  }
  /** Run one attempt; `payload` is transferred. */
  | { type: "run"; run: number; job: IsolateJob; payload: ArrayBuffer }
  /** Abort the attempt's `ctx.signal` with this reason. */
  | { type: "abort"; run: number; reason: JobErrorInfo }
  /** The answer to an `enqueue` request. */
  | { type: "enqueued"; call: number; id: string }
  /** The failure of an `enqueue` request. */
  | { type: "enqueue-failed"; call: number; error: JobErrorInfo };

/** Isolate -> main thread. */
export type FromIsolate =
  /** The modules loaded; these functions can run. */
  | { type: "ready"; functions: string[] }
  /** Loading the modules failed: the isolate is useless. */
  | { type: "init-failed"; error: JobErrorInfo }
  /** The attempt succeeded; `result` is the encoded result (transferred), null for none. */
  | { type: "completed"; run: number; result: ArrayBuffer | null }
  /** The attempt failed; `retryable` is false when retrying cannot help. */
  | { type: "failed"; run: number; error: JobErrorInfo; retryable: boolean }
  /**
   * The handler snoozed (`ctx.snooze`, `SnoozeError`) or was rate limited (`ctx.rateLimit`,
   * `RateLimitError`, with `throttle`): run the job again in `delayMs`.
   */
  | { type: "handed-back"; run: number; delayMs: number; throttle: boolean }
  /** The payload is of a newer version than the loaded code knows: hand it back. */
  | { type: "too-new"; run: number; version: number; known: number }
  /** A log line (`run` set for `ctx.log`, absent for the isolate's own lines). */
  | {
    type: "log";
    run?: number;
    level: LogLevel;
    message: string;
    fields?: Record<string, unknown>;
  }
  /** `ctx.progress`. */
  | { type: "progress"; run: number; percent: number; message?: string }
  /** `ctx.enqueue`: the pool answers with `enqueued` or `enqueue-failed`. */
  | {
    type: "enqueue";
    run: number;
    call: number;
    name: string;
    payload: unknown;
    options?: unknown;
  }
  /**
   * The isolate is going down: an uncaught error or unhandled rejection (`error` says which), or
   * the code closed it (`self.close()`, `Deno.exit()`).
   */
  | { type: "crashed"; reason: string; error?: JobErrorInfo };

/** The error shape for any thrown or abort value (never throws). */
export function errorInfo(error: unknown, fallbackName = "Error"): JobErrorInfo {
  if (error instanceof Error || error instanceof DOMException) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  let message: string;
  try {
    message = typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
  } catch {
    message = String(error);
  }
  return { name: fallbackName, message };
}

/**
 * An error rebuilt from its shape: a `DOMException` for the standard abort names (what
 * `AbortSignal.timeout` and `controller.abort()` give), a plain `Error` with the name otherwise.
 */
export function reviveError(info: JobErrorInfo): Error {
  if (info.name === "AbortError" || info.name === "TimeoutError") {
    return new DOMException(info.message, info.name);
  }
  const error = new Error(info.message);
  error.name = info.name;
  if (info.stack) error.stack = info.stack;
  return error;
}

/** A fresh `ArrayBuffer` holding exactly `bytes`: safe to transfer, the caller's view untouched. */
export function ownedBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
