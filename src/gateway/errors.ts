/**
 * The one error shape of the gateway, `{ "error": { code, message, status, issues? } }`, and the
 * mapping from thrown errors to it: Sluice errors by their stable code, request validation by
 * field path, argument errors of the engine as 400; anything else is a 500 whose details are
 * logged, never sent.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { BulkItemError, PayloadValidationError, SluiceError } from "../job/errors.ts";
import { DuplicateJobError, UnknownPrerequisiteError } from "../job/enqueue_errors.ts";
import type { Logger } from "../job/logger.ts";

/** One problem with one field of a request. */
export interface FieldIssue {
  /** Where: e.g. `["options", "delay"]`, `["jobs", 3, "payload", "to"]`. */
  path: (string | number)[];
  /** What is wrong. */
  message: string;
  /** The validator's issue code, when there is one. */
  code?: string;
}

/** The body of every error response. */
export interface ErrorBody {
  /** The error. */
  error: {
    /** Stable machine-readable code, e.g. `JOB_NOT_FOUND`, `VALIDATION_FAILED`. */
    code: string;
    /** Human-readable message. */
    message: string;
    /** The HTTP status, repeated. */
    status: number;
    /** Field problems of a request that failed validation. */
    issues?: FieldIssue[];
    /** Facts a program may act on, e.g. `existingId` of a `DUPLICATE_JOB`. */
    details?: Record<string, unknown>;
  };
}

/** An error that knows its HTTP status and code; route handlers throw it. */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: ContentfulStatusCode;
  /** The stable code. */
  readonly code: string;
  /** Field problems, if any. */
  readonly issues: FieldIssue[] | undefined;
  /** Facts a program may act on, if any. */
  readonly details: Record<string, unknown> | undefined;

  /** Creates the error. */
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    issues?: FieldIssue[],
    details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
    this.details = details;
  }
}

const STATUS_OF_CODE: Record<string, ContentfulStatusCode> = {
  JOB_NOT_FOUND: 404,
  INVALID_STATE: 409,
  INVALID_PAYLOAD: 422,
  UNKNOWN_FUNCTION: 422,
  BULK_ITEM_INVALID: 422,
  PAYLOAD_TOO_LARGE: 413,
  NOT_SUPPORTED: 501,
  QUEUE_NOT_FOUND: 404,
  STORE_UNAVAILABLE: 503,
  STORE_FULL: 503,
  STORE_ACCESS_DENIED: 503,
  DUPLICATE_JOB: 409,
  UNKNOWN_PREREQUISITE: 422,
  SCHEDULE_NOT_FOUND: 404,
};

/**
 * The facts a client acts on of a refused enqueue: the job holding a unique key, or the unknown
 * prerequisite (in a bulk, `issues` name the item).
 */
export function refusalDetails(error: unknown): Record<string, unknown> | undefined {
  if (error instanceof DuplicateJobError) {
    const { existingId, existingState, key } = error;
    return { existingId, existingState, key };
  }
  if (error instanceof UnknownPrerequisiteError) return { prerequisite: error.prerequisite };
  return undefined;
}

/** What a 415 says. */
export const JSON_EXPECTED = "request bodies must be JSON: send Content-Type: application/json";

/** Seconds a client is told to wait (`Retry-After`) on a 503 (store unavailable or full, streams full). */
export const RETRY_AFTER_SECONDS = 2;

const CODE_OF_STATUS: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "BODY_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  503: "UNAVAILABLE",
};

/** Zod-like issues as field issues, each path prefixed with `prefix`. */
export function fieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string }[],
  prefix: (string | number)[] = [],
): FieldIssue[] {
  return issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => typeof p === "number" ? p : String(p))],
    message: issue.message,
    ...(issue.code ? { code: issue.code } : {}),
  }));
}

function payloadIssues(error: unknown, prefix: (string | number)[]): FieldIssue[] | undefined {
  return error instanceof PayloadValidationError
    ? fieldIssues(error.issues, [...prefix, "payload"])
    : undefined;
}

/** The `ApiError` for anything thrown by a handler or the engine. */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = status === 415 ? JSON_EXPECTED : error.message;
    return new ApiError(status, CODE_OF_STATUS[status] ?? "HTTP_ERROR", message);
  }
  if (error instanceof BulkItemError) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return new ApiError(
      422,
      error.code,
      error.message,
      payloadIssues(error.cause, ["jobs", error.index]) ??
        [{ path: ["jobs", error.index], message: cause }],
    );
  }
  if (error instanceof SluiceError) {
    return new ApiError(
      STATUS_OF_CODE[error.code] ?? 400,
      error.code,
      error.message,
      payloadIssues(error, []),
      refusalDetails(error),
    );
  }
  // The engine checks its arguments (queue names, options, cursors) with these.
  if (error instanceof TypeError || error instanceof RangeError) {
    return new ApiError(400, "BAD_REQUEST", error.message);
  }
  return null;
}

/** Renders `error` as the one error body (a 503 says when to retry, with `Retry-After`). */
export function errorResponse(c: Context, error: ApiError): Response {
  if (error.status === 503) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      status: error.status,
      ...(error.issues ? { issues: error.issues } : {}),
      ...(error.details ? { details: error.details } : {}),
    },
  };
  return c.json(body, error.status);
}

/** The `onError` handler: known errors by their status, the rest a logged 500. */
export function onError(logger: Logger): (error: Error, c: Context) => Response {
  return (error, c) => {
    const known = toApiError(error);
    if (known) return errorResponse(c, known);
    logger.error("gateway: request failed", {
      method: c.req.method,
      path: c.req.path,
      error: error.stack ?? String(error),
    });
    return errorResponse(c, new ApiError(500, "INTERNAL", "internal error (see the server log)"));
  };
}

/**
 * The error responses that frameworks produce as plain text (an unknown route, a missing content
 * type) in the one JSON shape, so every error a client sees looks alike.
 */
export async function jsonErrors(c: Context, next: () => Promise<void>): Promise<void> {
  await next();
  const res = c.res;
  if (res.status < 400 || res.headers.get("content-type")?.includes("json")) return;
  const status = res.status as ContentfulStatusCode;
  const text = status === 415 ? JSON_EXPECTED : (await res.text()).trim();
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  const fresh = errorResponse(
    c,
    new ApiError(status, CODE_OF_STATUS[status] ?? "HTTP_ERROR", text || `HTTP ${status}`),
  );
  headers.set("content-type", fresh.headers.get("content-type")!);
  c.res = new Response(fresh.body, { status, headers });
}
