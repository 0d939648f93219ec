/**
 * Operational endpoints: `/healthz` (the process answers), `/readyz` (the store answers) and
 * `/metrics` (Prometheus text).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { within } from "../../job/clock.ts";
import { ApiError } from "../errors.ts";
import type { GatewayMetrics } from "../metrics.ts";
import { errorResponses, jsonResponse, type RouteContext, security } from "../route.ts";
import { ErrorBody } from "../schemas/common.ts";

const Status = z.object({ status: z.string() }).openapi("Status");

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["system"],
  summary: "Liveness: the process answers (no auth)",
  responses: { 200: jsonResponse("alive", Status) },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["system"],
  summary: "Readiness: the store answers in time (no auth)",
  responses: {
    200: jsonResponse("ready", Status),
    503: jsonResponse("the store does not answer", ErrorBody),
  },
});

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["system"],
  summary: "Prometheus metrics (text exposition format)",
  security: security("get"),
  responses: {
    200: { description: "metrics", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses(),
  },
});

/** Adds the operational routes. */
export function systemRoutes(
  { app, engine }: RouteContext,
  gauges: GatewayMetrics,
  readyTimeoutMs: number,
): void {
  app.openapi(healthz, (c) => c.json({ status: "ok" }, 200));

  app.openapi(readyz, async (c) => {
    try {
      await within(engine.queues(), readyTimeoutMs);
    } catch (error) {
      throw new ApiError(
        503,
        "NOT_READY",
        `the store does not answer: ${(error as Error).message}`,
      );
    }
    return c.json({ status: "ready" }, 200);
  });

  app.openapi(metrics, async (c) => {
    const text = await gauges.text();
    return c.text(text, 200, { "content-type": gauges.contentType });
  });
}
