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
import detailCss from "./dashboard/detail.css" with { type: "text" };
import main from "./dashboard/dashboard.js" with { type: "text" };
import api from "./dashboard/api.js" with { type: "text" };
import dom from "./dashboard/dom.js" with { type: "text" };
import stats from "./dashboard/stats.js" with { type: "text" };
import charts from "./dashboard/charts.js" with { type: "text" };
import graph from "./dashboard/graph.js" with { type: "text" };
import detail from "./dashboard/detail.js" with { type: "text" };
import lists from "./dashboard/lists.js" with { type: "text" };
import metricsPanels from "./dashboard/metrics_panels.js" with { type: "text" };
import depthPanel from "./dashboard/depth_panel.js" with { type: "text" };
import schedulesPanel from "./dashboard/schedules_panel.js" with { type: "text" };

const JS = "text/javascript; charset=utf-8";

const ASSETS: Record<string, { body: string; type: string }> = {
  "dashboard.css": { body: css, type: "text/css; charset=utf-8" },
  "detail.css": { body: detailCss, type: "text/css; charset=utf-8" },
  "dashboard.js": { body: main, type: JS },
  "api.js": { body: api, type: JS },
  "dom.js": { body: dom, type: JS },
  "stats.js": { body: stats, type: JS },
  "charts.js": { body: charts, type: JS },
  "graph.js": { body: graph, type: JS },
  "detail.js": { body: detail, type: JS },
  "lists.js": { body: lists, type: JS },
  "metrics_panels.js": { body: metricsPanels, type: JS },
  "depth_panel.js": { body: depthPanel, type: JS },
  "schedules_panel.js": { body: schedulesPanel, type: JS },
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
