/**
 * Pieces every route declaration shares: the app type, JSON bodies, the error responses and the
 * security requirement of a method's scope, so each route states only what is its own.
 *
 * @module
 */
import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Engine } from "../engine.ts";
import { scopeOf } from "./auth.ts";
import type { StackPolicy } from "./stacks.ts";
import { ErrorBody } from "./schemas/common.ts";

/** The gateway's Hono app. */
export type GatewayApp = OpenAPIHono;

/** What route modules get. */
export interface RouteContext {
  /** The app to add routes to. */
  app: GatewayApp;
  /** The engine behind the routes. */
  engine: Engine;
  /** How jobs and events are shown to a request (stack traces or not). */
  stacks: StackPolicy;
}

/** A required JSON request body of `schema`. */
export function jsonBody<T extends z.ZodType>(
  schema: T,
): { content: { "application/json": { schema: T } }; required: true } {
  return { content: { "application/json": { schema } }, required: true };
}

/** A JSON response of `schema`. */
export function jsonResponse<T extends z.ZodType>(
  description: string,
  schema: T,
): { description: string; content: { "application/json": { schema: T } } } {
  return { description, content: { "application/json": { schema } } };
}

const ERRORS = {
  400: "invalid request: malformed JSON, a field fails validation (see `issues`), a cycle, or " +
    "a body that breaks off (`BODY_UNREADABLE`), nests deeper than 64 levels (`BODY_TOO_DEEP`) " +
    "or is not Unicode (`INVALID_UNICODE`: bytes that are not UTF-8, a lone surrogate escape)",
  401: "no valid bearer token",
  403: "the token's scope is too small (admin needed)",
  404: "not found",
  409: "the job's state does not allow it, or a unique key is held (`details.existingId`)",
  413: "request body too large, or the encoded payload is",
  415: "a request body that is not `application/json`",
  422: "the payload fails its function's schema, or the function or a prerequisite is unknown",
  503: "the store is unavailable or full right now (see `Retry-After`)",
} as const;

type ErrorStatus = keyof typeof ERRORS;

/** Error responses `statuses`, plus 400, 401, 403 and 503, all of the one error shape. */
export function errorResponses(
  ...statuses: ErrorStatus[]
): Record<number, ReturnType<typeof jsonResponse<typeof ErrorBody>>> {
  const all = new Set<ErrorStatus>([400, 401, 403, 503, ...statuses]);
  return Object.fromEntries([...all].map((s) => [s, jsonResponse(ERRORS[s], ErrorBody)]));
}

/** The OpenAPI security requirement of a route by its method: read or admin bearer token. */
export function security(method: string): { bearer: string[] }[] {
  return [{ bearer: [scopeOf(method.toUpperCase())] }];
}
