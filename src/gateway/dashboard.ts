/**
 * The dashboard: static files (HTML, CSS and ES modules, no build step), embedded by static text
 * import so `deno compile` carries them. It calls the REST API and follows `/v1/stream` with the
 * bearer token the user gives it (kept in the browser's localStorage).
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import html from "./dashboard/index.html" with { type: "text" };
import css from "./dashboard/dashboard.css" with { type: "text" };
import main from "./dashboard/dashboard.js" with { type: "text" };
import api from "./dashboard/api.js" with { type: "text" };
import chart from "./dashboard/chart.js" with { type: "text" };

const ASSETS: Record<string, { body: string; type: string }> = {
  "dashboard.css": { body: css, type: "text/css; charset=utf-8" },
  "dashboard.js": { body: main, type: "text/javascript; charset=utf-8" },
  "api.js": { body: api, type: "text/javascript; charset=utf-8" },
  "chart.js": { body: chart, type: "text/javascript; charset=utf-8" },
};

/**
 * Serves the dashboard at `/` and its files under `/assets/` (the app's security headers forbid
 * framing and inline scripts; the page builds every element from text, never from HTML).
 */
export function dashboardRoutes(app: OpenAPIHono): void {
  app.get("/", (c) => c.html(html));
  app.get("/assets/:file", (c) => {
    const asset = ASSETS[c.req.param("file")];
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "no-cache" });
  });
}
