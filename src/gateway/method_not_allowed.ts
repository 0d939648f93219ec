/**
 * Telling "no such path" (404) from "this path, another method" (405 with `Allow`): the routes of
 * the app are matched by path alone when no route answered a request.
 *
 * @module
 */
import type { Context } from "hono";
import type { GatewayApp } from "./route.ts";
import { ApiError, errorResponse } from "./errors.ts";

interface PathRoute {
  pattern: RegExp;
  methods: Set<string>;
}

function compile(path: string): RegExp {
  const parts = path.split("/").map((part) =>
    part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${parts.join("/")}/?$`);
}

/** The methods each concrete route path of `app` answers (middleware excluded). */
function routesOf(app: GatewayApp): PathRoute[] {
  const byPath = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue;
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    if (route.method.toUpperCase() === "GET") methods.add("HEAD");
    byPath.set(route.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({ pattern: compile(path), methods }));
}

/**
 * The not-found handler of `app`: 405 with `Allow` when the path exists under other methods,
 * else 404; both in the one error shape. The routes are read on first use (all are added by then).
 */
export function notFoundOrNotAllowed(app: GatewayApp): (c: Context) => Response {
  let routes: PathRoute[] | null = null;
  return (c) => {
    routes ??= routesOf(app);
    const allowed = new Set<string>();
    for (const route of routes) {
      if (route.pattern.test(c.req.path)) { for (const m of route.methods) allowed.add(m); }
    }
    if (allowed.size === 0 || allowed.has(c.req.method)) {
      return errorResponse(c, new ApiError(404, "NOT_FOUND", `no route ${c.req.path}`));
    }
    const allow = [...allowed].sort().join(", ");
    c.header("Allow", allow);
    return errorResponse(
      c,
      new ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        `${c.req.method} is not allowed on ${c.req.path} (allowed: ${allow})`,
      ),
    );
  };
}
