/**
 * Named errors of Sluice, and the single place where store status codes become errors.
 *
 * @module
 */
import type { JobState } from "./states.ts";
import { Status, type StatusCode, statusName } from "./status.ts";

/** Base class of every error Sluice raises on purpose; `code` is stable for programs. */
export class SluiceError extends Error {
  /** A stable machine-readable code, e.g. `"JOB_NOT_FOUND"`. */
  readonly code: string;

  /** Creates an error with a stable `code` and a human-readable `message`. */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** No job with the given id exists (it never did, or retention removed it). */
export class JobNotFoundError extends SluiceError {
  /** The id that was looked up. */
  readonly jobId: string;

  /** Creates the error for `jobId`. */
  constructor(jobId: string) {
    super("JOB_NOT_FOUND", `job ${JSON.stringify(jobId)} not found`);
    this.jobId = jobId;
  }
}

/** A lease token was presented that is not the job's current lease: nothing was changed. */
export class LeaseLostError extends SluiceError {
  /** The job whose lease was lost. */
  readonly jobId: string;

  /** Creates the error for `jobId`; `action` says what was refused. */
  constructor(jobId: string, action: string) {
    super(
      "LEASE_LOST",
      `cannot ${action} job ${JSON.stringify(jobId)}: its lease token is stale ` +
        `(the lease expired and the job was reclaimed, or it finished already); nothing changed`,
    );
    this.jobId = jobId;
  }
}

/** The job's state does not allow the requested action. */
export class InvalidStateError extends SluiceError {
  /** The job concerned. */
  readonly jobId: string;
  /** The state the job is in, when known. */
  readonly state: JobState | undefined;

  /** Creates the error: `action` on `jobId` is refused because the job is `state`. */
  constructor(jobId: string, action: string, state?: JobState) {
    super(
      "INVALID_STATE",
      `cannot ${action} job ${JSON.stringify(jobId)}` +
        (state ? `: it is ${state}` : ": its state does not allow it"),
    );
    this.jobId = jobId;
    this.state = state;
  }
}

/** One issue found while validating a payload (the shape of a zod issue). */
export interface ValidationIssue {
  /** Where in the payload the problem is. */
  path: PropertyKey[];
  /** What is wrong. */
  message: string;
  /** The validator's issue code, e.g. `invalid_type`. */
  code?: string;
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/** A payload did not match its function's schema; nothing was stored. */
export class PayloadValidationError extends SluiceError {
  /** The function whose schema rejected the payload. */
  readonly functionName: string;
  /** Every issue the schema reported. */
  readonly issues: ValidationIssue[];

  /** Creates the error listing `issues` for `functionName`. */
  constructor(functionName: string, issues: ValidationIssue[]) {
    super(
      "INVALID_PAYLOAD",
      `invalid payload for ${JSON.stringify(functionName)}: ${describeIssues(issues)}`,
    );
    this.functionName = functionName;
    this.issues = issues;
  }
}

/** A job names a function that is not registered with the engine. */
export class UnknownFunctionError extends SluiceError {
  /** The unknown function name. */
  readonly functionName: string;

  /** Creates the error; `known` lists registered names for the message. */
  constructor(functionName: string, known: readonly string[]) {
    super(
      "UNKNOWN_FUNCTION",
      `no function named ${JSON.stringify(functionName)} is registered` +
        (known.length ? ` (registered: ${known.join(", ")})` : " (none registered)"),
    );
    this.functionName = functionName;
  }
}

/** A queue action named a queue that does not exist, and was not asked to create it. */
export class UnknownQueueError extends SluiceError {
  /** The unknown queue. */
  readonly queue: string;

  /** Creates the error: `action` (e.g. "pause") on `queue` was refused. */
  constructor(queue: string, action: string) {
    super(
      "QUEUE_NOT_FOUND",
      `cannot ${action} queue ${JSON.stringify(queue)}: no such queue (no job was ever enqueued ` +
        "to it); ask to create it to do it anyway",
    );
    this.queue = queue;
  }
}

/**
 * The store cannot be reached right now (Redis is down or unreachable); nothing was done, or a
 * command in flight may or may not have run. The connection keeps reconnecting in the background:
 * retry shortly.
 */
export class StoreUnavailableError extends SluiceError {
  /** Creates the error with what happened, e.g. "Redis at redis://host:6379 is unavailable". */
  constructor(message: string, options?: ErrorOptions) {
    super("STORE_UNAVAILABLE", message, options);
  }
}

/**
 * The store is full: Redis reached its `maxmemory` under the `noeviction` policy and refused a
 * write ("OOM command not allowed"). Nothing of the refused call was written (a script is refused
 * at its first write, before it changed anything). Work already stored keeps being processed and
 * frees memory as jobs finish: retry later, or give Redis more memory.
 */
export class StoreFullError extends SluiceError {
  /** Creates the error with what happened, e.g. "Redis at redis://host:6379 is full". */
  constructor(message: string, options?: ErrorOptions) {
    super("STORE_FULL", message, options);
  }
}

/**
 * The store refused a command for want of a permission (a Redis ACL user without the rights
 * Sluice needs): the message names the missing permission in one line. Retrying does not help;
 * grant the rules of docs/security.md.
 */
export class StoreAccessError extends SluiceError {
  /** Creates the error with what was refused. */
  constructor(message: string, options?: ErrorOptions) {
    super("STORE_ACCESS_DENIED", message, options);
  }
}

/** One item of a bulk enqueue was invalid; nothing of the bulk was stored. */
export class BulkItemError extends SluiceError {
  /** Index of the first bad item in the bulk. */
  readonly index: number;

  /** Wraps `cause`, the error of item `index`. */
  constructor(index: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super("BULK_ITEM_INVALID", `bulk item ${index} is invalid, nothing was enqueued: ${reason}`, {
      cause,
    });
    this.index = index;
  }
}

/** Thrown by a handler to skip the remaining attempts: the job goes to the dead-letter queue. */
export class UnrecoverableError extends Error {
  /** Creates the error with the reason the job cannot succeed. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnrecoverableError";
  }
}

/**
 * Thrown by a handler (or by `ctx.snooze(ms)`) to run the job again after `delayMs` without
 * spending an attempt: the job is handed back, delayed, and its attempt count is unchanged.
 */
export class SnoozeError extends Error {
  /** How long to wait before the job runs again (ms). */
  readonly delayMs: number;

  /** Snoozes for `delayMs` (a whole number of ms >= 0). */
  constructor(delayMs: number) {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
      throw new RangeError(`snooze: delay must be a whole number of ms >= 0, got ${delayMs}`);
    }
    super(`snoozed for ${delayMs} ms`);
    this.name = "SnoozeError";
    this.delayMs = delayMs;
  }
}

/**
 * Thrown by a handler (or by `ctx.rateLimit(ms)`) when the remote side asks to slow down (an
 * HTTP 429): the job goes back to its place in line without spending an attempt, and its
 * function (or, when it is limited per key, its key) starts no job for `delayMs` on any node.
 */
export class RateLimitError extends Error {
  /** How long the function (or key) pauses (ms). */
  readonly delayMs: number;

  /** Pauses for `delayMs` (a whole number of ms >= 1), with an optional `message`. */
  constructor(delayMs: number, message?: string) {
    if (!Number.isSafeInteger(delayMs) || delayMs < 1) {
      throw new RangeError(`rateLimit: delay must be a whole number of ms >= 1, got ${delayMs}`);
    }
    super(message ?? `rate limited for ${delayMs} ms`);
    this.name = "RateLimitError";
    this.delayMs = delayMs;
  }
}

/** An operation is not supported by this store or configuration. */
export class NotSupportedError extends SluiceError {
  /** Creates the error naming what is not supported. */
  constructor(what: string) {
    super("NOT_SUPPORTED", `${what} is not supported`);
  }
}

/** An encoded payload is larger than the engine's limit; nothing was stored. */
export class PayloadTooLargeError extends SluiceError {
  /** The function whose payload was refused. */
  readonly functionName: string;
  /** Encoded size in bytes (before compression). */
  readonly bytes: number;
  /** The limit in bytes (`maxPayloadBytes`). */
  readonly limit: number;

  /** Creates the error: `functionName`'s payload is `bytes` long, above `limit`. */
  constructor(functionName: string, bytes: number, limit: number) {
    super(
      "PAYLOAD_TOO_LARGE",
      `payload of ${JSON.stringify(functionName)} is ${bytes} bytes encoded, above the limit of ` +
        `${limit} (maxPayloadBytes); store large data elsewhere and enqueue a reference to it`,
    );
    this.functionName = functionName;
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** A job's payload version is newer than the code on this node knows (a rolling deploy). */
export class PayloadVersionError extends SluiceError {
  /** Creates the error: `functionName` v`known` cannot run a v`version` payload. */
  constructor(functionName: string, version: number, known: number, handbacks: number) {
    super(
      "PAYLOAD_VERSION_TOO_NEW",
      `payload version ${version} of ${JSON.stringify(functionName)} is newer than the ` +
        `running code knows (v${known}); handed back ${handbacks} times and no node that knows ` +
        `v${version} took it`,
    );
  }
}

/** A payload could not be migrated to the version the running code expects. */
export class PayloadMigrationError extends SluiceError {
  /** Creates the error for `functionName` with the reason; `cause` is what a migration threw. */
  constructor(functionName: string, reason: string, options?: ErrorOptions) {
    super("PAYLOAD_MIGRATION_FAILED", `${JSON.stringify(functionName)}: ${reason}`, options);
  }
}

/** A handler returned a value its function's `result` schema rejects. */
export class ResultValidationError extends SluiceError {
  /** Every issue the schema reported. */
  readonly issues: ValidationIssue[];

  /** Creates the error listing `issues` for `functionName`. */
  constructor(functionName: string, issues: ValidationIssue[]) {
    super(
      "INVALID_RESULT",
      `invalid result from ${JSON.stringify(functionName)}: ${describeIssues(issues)}`,
    );
    this.issues = issues;
  }
}

/** A leader-only write was refused: this node no longer holds the current leader lease. */
export class NotLeaderError extends SluiceError {
  /** Creates the error; `action` says what was refused. */
  constructor(action: string) {
    super(
      "NOT_LEADER",
      `cannot ${action}: this node's leader lease is not the current one (it lapsed or another ` +
        "node took over); nothing changed",
    );
  }
}

/**
 * The error for a store status, or `null` for `OK`. This is the one place where store codes
 * become errors, for both stores.
 */
export function errorForStatus(
  status: StatusCode,
  jobId: string,
  action: string,
  state?: JobState,
): SluiceError | null {
  switch (status) {
    case Status.OK:
    case Status.CANCEL_REQUESTED:
      return null;
    case Status.NOT_FOUND:
      return new JobNotFoundError(jobId);
    case Status.LEASE_LOST:
      return new LeaseLostError(jobId, action);
    case Status.WRONG_STATE:
      return new InvalidStateError(jobId, action, state);
    case Status.NOT_LEADER:
      return new NotLeaderError(action);
    default:
      return new SluiceError("UNKNOWN_STATUS", `${action} ${jobId}: ${statusName(status)}`);
  }
}
