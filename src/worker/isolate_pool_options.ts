/**
 * The options and results of `IsolatePool`: what a node passes in (modules, sizes, hooks), what
 * one attempt carries, and what became of it; plus the checks of numeric options.
 *
 * @module
 */
import type { EncodingDefaults } from "../codec/payload_encoder.ts";
import type { JobErrorInfo } from "../job/job.ts";
import type { Logger, LogLevel } from "../job/logger.ts";
import type { EnqueueOptions } from "../job/options.ts";
import type { IsolateJob } from "./_isolate_protocol.ts";

/** Options of `IsolatePool`. */
export interface IsolatePoolOptions {
  /** Absolute URLs of the function files, or of the generated manifest module. */
  modules: readonly (string | URL)[];
  /** Isolates (default: `navigator.hardwareConcurrency`). */
  size?: number;
  /** Attempts one isolate runs at once; async handlers overlap (default 4). */
  slotsPerIsolate?: number;
  /** The engine's encoding defaults, for results (default: `resolveEncodingDefaults()`). */
  encoding?: EncodingDefaults;
  /** Receives `ctx.log` lines (tagged with job and fn) and the pool's own (default console). */
  logger?: Logger;
  /** How long a timed-out handler may take to stop on its signal before termination (1,000). */
  abortGraceMs?: number;
  /**
   * Permissions of the isolates. Default: not set, the isolates share the node's. A set here
   * (even `"inherit"`) needs `--unstable-worker-options`: without it Deno exits the process.
   * Read access to the code is granted for loading, then revoked unless declared.
   */
  permissions?: Deno.PermissionOptions;
  /** Receives `ctx.progress` reports. */
  onProgress?: (job: IsolateJob, percent: number, message?: string) => void;
  /** A running job logged a line (`ctx.log`). */
  onJobLog?: (
    job: IsolateJob,
    level: LogLevel,
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  /** Serves `ctx.enqueue` (by function name); without it `ctx.enqueue` rejects. */
  enqueue?: (name: string, payload: unknown, options?: EnqueueOptions) => Promise<string>;
  /** First wait before retrying a replacement that failed to load (1,000; doubles to 30,000). */
  respawnDelayMs?: number;
}

/** A job to run: its identity and its encoded payload (which is copied, never detached). */
export interface IsolateRunJob extends IsolateJob {
  /** The encoded payload, as stored. */
  payload: Uint8Array;
}

/** Options of one `run`. */
export interface IsolateRunOptions {
  /** Abort the attempt this long after it starts in an isolate (default: no timeout). */
  timeoutMs?: number;
}

/** What became of one attempt in the pool. */
export type IsolateOutcome =
  /** The handler returned; `result` is the encoded result, null when it returned nothing. */
  | { kind: "completed"; result: Uint8Array | null }
  /**
   * The attempt failed. `retryable` is false for an `UnrecoverableError` (its name is kept) and
   * for payloads or results that can never pass; a timeout (`TimeoutError`) or a lost isolate
   * (`IsolateCrashedError`) is retryable.
   */
  | { kind: "failed"; error: JobErrorInfo; retryable: boolean }
  /**
   * The handler snoozed or was rate limited (`throttle`): release the job to run again in
   * `delayMs`, without spending it.
   */
  | { kind: "handed-back"; delayMs: number; throttle: boolean }
  /** The payload is newer than the loaded code: hand it back (`known` is the code's version). */
  | { kind: "too-new"; version: number; known: number }
  /** Stopped by `close()` (or run after it): release the job without spending its attempt. */
  | { kind: "interrupted" };

/** One attempt handed to the pool. */
export interface IsolateRun {
  /** Settles once with what became of the attempt; never rejects. */
  readonly outcome: Promise<IsolateOutcome>;
  /** Aborts the handler's `ctx.signal` with `reason` (a queued attempt fails at once). */
  abort(reason?: unknown): void;
}

/** Checks that `value` (the option `name`) is a whole number >= 1. */
export function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `IsolatePool: ${name} must be a whole number >= 1, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Checks that `value` (the option `name`) is a finite number >= 0. */
export function nonNegative(value: number, name: string): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `IsolatePool: ${name} must be a number >= 0, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
