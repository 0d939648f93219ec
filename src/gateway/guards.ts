/**
 * Request guards that keep a gateway safe from web pages: an open gateway (no token) answers
 * only loopback `Host` names (no DNS rebinding) and refuses state changes from another origin
 * (no cross-site request forgery); every gateway takes request bodies as JSON only, so an HTML
 * form or a `text/plain` "simple request" cannot drive it.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ApiError, errorResponse, JSON_EXPECTED } from "./errors.ts";

/** The host names an open gateway answers to. */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The host name of a `Host` value (`[::1]:8000` -> `[::1]`), lower case; null if malformed. */
export function hostName(host: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::\d{1,5})?$/i.exec(host.trim());
  return match ? match[1]!.toLowerCase() : null;
}

function requestHost(c: Context): string {
  return c.req.header("host") ?? new URL(c.req.url).host;
}

function refuse(c: Context, code: string, message: string): Response {
  return errorResponse(c, new ApiError(403, code, message));
}

/**
 * Middleware of an open gateway: 403 for a `Host` that is not a loopback name, and for an unsafe
 * method (POST, PUT, PATCH, DELETE) whose `Origin` is not the gateway's own or whose
 * `Sec-Fetch-Site` says another site sent it.
 */
export function openModeGuard(): MiddlewareHandler {
  return async (c, next) => {
    const host = requestHost(c);
    const name = hostName(host);
    if (name === null || !LOOPBACK_HOSTS.includes(name)) {
      return refuse(
        c,
        "HOST_NOT_ALLOWED",
        `host ${JSON.stringify(host)} is not allowed: a gateway without a token answers only ` +
          `${LOOPBACK_HOSTS.join(", ")}; set SLUICE_ADMIN_TOKEN to serve other names`,
      );
    }
    if (UNSAFE.has(c.req.method)) {
      const origin = c.req.header("origin");
      const own = `${new URL(c.req.url).protocol}//${host}`.toLowerCase();
      const site = c.req.header("sec-fetch-site");
      if (
        (origin !== undefined && origin.toLowerCase() !== own) || site === "cross-site" ||
        site === "same-site"
      ) {
        return refuse(
          c,
          "CROSS_ORIGIN_REFUSED",
          `${c.req.method} from another origin (${origin ?? site}) is refused: a gateway without ` +
            "a token takes state changes from its own pages and from non-browser clients only",
        );
      }
    }
    return await next();
  };
}

function hasBody(c: Context): boolean {
  const length = c.req.header("content-length");
  return (length !== undefined && length !== "0") ||
    c.req.header("transfer-encoding") !== undefined;
}

function jsonExpected(type: string | undefined): string {
  return `${JSON_EXPECTED} (got ${type === undefined ? "no content type" : JSON.stringify(type)})`;
}

/**
 * Middleware: a request that carries a body, or names a content type, must send
 * `Content-Type: application/json` (415 otherwise, saying so).
 */
export function jsonBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header("content-type");
    if (UNSAFE.has(c.req.method) && (type !== undefined || hasBody(c))) {
      const media = type?.split(";")[0]?.trim().toLowerCase();
      if (media !== "application/json") {
        return errorResponse(c, new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", jsonExpected(type)));
      }
    }
    return await next();
  };
}
