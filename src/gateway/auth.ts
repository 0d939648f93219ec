/**
 * Bearer-token auth of the gateway: a read token (GET and HEAD) and an admin token (everything,
 * state changes included), compared in constant time. A gateway without tokens must be created
 * `open: true`; it then answers loopback names only (see `guards.ts`), and `serveGateway`
 * listens on loopback only. `grantedScope(c)` tells what a request was granted.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ApiError, errorResponse } from "./errors.ts";

const granted = new WeakMap<Request, Scope>();

/** The scope `c`'s request was granted (`admin` on an open gateway); undefined before auth. */
export function grantedScope(c: Context): Scope | undefined {
  return granted.get(c.req.raw);
}

/** The tokens of a gateway; an absent or empty one grants nothing. */
export interface GatewayTokens {
  /** Grants every endpoint (`SLUICE_ADMIN_TOKEN`). */
  admin?: string;
  /** Grants GET and HEAD endpoints (`SLUICE_READ_TOKEN`). */
  read?: string;
}

/** What a request needs: `read` for GET and HEAD, `admin` for the rest. */
export type Scope = "read" | "admin";

/** The scope a request method needs. */
export function scopeOf(method: string): Scope {
  return method === "GET" || method === "HEAD" ? "read" : "admin";
}

/** True when at least one token is configured (the gateway is not open). */
export function authEnabled(tokens: GatewayTokens): boolean {
  return Boolean(tokens.admin || tokens.read);
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * Compares two secrets in constant time: both are hashed first (so lengths do not leak) and the
 * digests compared with no early exit.
 */
export async function safeEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The scopes `token` grants: admin grants read too. */
async function grants(token: string, tokens: GatewayTokens): Promise<Set<Scope>> {
  const [admin, read] = await Promise.all([
    tokens.admin ? safeEqual(token, tokens.admin) : false,
    tokens.read ? safeEqual(token, tokens.read) : false,
  ]);
  if (admin) return new Set(["admin", "read"]);
  return new Set(read ? ["read"] : []);
}

function deny(c: Context, status: 401 | 403, message: string): Response {
  const code = status === 401 ? "UNAUTHORIZED" : "FORBIDDEN";
  if (status === 401) {
    c.header(
      "WWW-Authenticate",
      `Bearer realm="sluice"${c.req.header("authorization") ? ', error="invalid_token"' : ""}`,
    );
  }
  return errorResponse(c, new ApiError(status, code, message));
}

/**
 * Middleware: 401 (with `WWW-Authenticate`) without a valid bearer token, 403 when the token's
 * scope is too small. Open (every request admin) when no token is configured.
 */
export function requireToken(tokens: GatewayTokens): MiddlewareHandler {
  const enabled = authEnabled(tokens);
  return async (c, next) => {
    if (!enabled) {
      granted.set(c.req.raw, "admin");
      return await next();
    }
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return deny(c, 401, "a bearer token is required (Authorization: Bearer <token>)");
    const scopes = await grants(match[1]!, tokens);
    if (scopes.size === 0) return deny(c, 401, "the bearer token is not valid");
    const needed = scopeOf(c.req.method);
    if (!scopes.has(needed)) {
      return deny(c, 403, `this endpoint needs the ${needed} scope; the token grants read only`);
    }
    granted.set(c.req.raw, scopes.has("admin") ? "admin" : "read");
    await next();
  };
}
