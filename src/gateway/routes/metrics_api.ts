/**
 * `GET /v1/metrics`: the cluster's job metrics per (queue, lane, function) as JSON, in total and
 * per minute, as the store aggregates them from every node: what the dashboard draws its
 * throughput and latency charts from (Prometheus reads `/metrics` instead).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { BUCKET_EDGES_MS } from "../../store/observations.ts";
import { errorResponses, jsonResponse, type RouteContext, security } from "../route.ts";
import { LaneName } from "../schemas/common.ts";

/** Minutes of history kept by the stores (a day). */
const MAX_MINUTES = 24 * 60;

const Histogram = z.object({
  count: z.number().int(),
  sumMs: z.number(),
  buckets: z.array(z.number().int()).openapi({
    description: "count per bucket of `bucketEdgesMs` (upper bounds), then the rest; not " +
      "cumulative",
  }),
}).openapi("Histogram");

const MetricGroup = z.object({
  queue: z.string(),
  lane: LaneName,
  name: z.string().openapi({ description: "function name" }),
  completed: z.number().int(),
  failed: z.number().int().openapi({ description: "attempts failed and retried" }),
  dead: z.number().int(),
  cancelled: z.number().int(),
  requeued: z.number().int().openapi({ description: "dead jobs requeued" }),
  run: Histogram.openapi({ description: "run time of ended attempts" }),
  wait: Histogram.openapi({ description: "time from due to start of ended attempts" }),
}).openapi("MetricGroup");

const Metrics = z.object({
  now: z.number().openapi({ description: "the gateway's clock (epoch ms)" }),
  bucketEdgesMs: z.array(z.number()),
  total: z.array(MetricGroup).openapi({ description: "since the namespace began" }),
  minutes: z.array(z.object({
    minute: z.number().int().openapi({ description: "epoch minute (epoch ms / 60,000)" }),
    groups: z.array(MetricGroup),
  })).openapi({ description: "the newest minutes asked for, oldest first; empty ones left out" }),
}).openapi("ClusterMetrics");

const read = createRoute({
  method: "get",
  path: "/v1/metrics",
  tags: ["metrics"],
  summary: "Job throughput and run and wait histograms per queue, lane and function",
  description: "Cluster-wide, from any gateway: what every node finished, per minute for the " +
    `newest \`minutes\` (default 60, at most ${MAX_MINUTES}) and in total.`,
  security: security("get"),
  request: {
    query: z.object({
      minutes: z.coerce.number().int().min(0).max(MAX_MINUTES).optional().openapi({ example: 60 }),
    }),
  },
  responses: { 200: jsonResponse("the metrics", Metrics), ...errorResponses() },
});

/** Adds the metrics route. */
export function metricsApiRoutes({ app, engine }: RouteContext): void {
  app.openapi(read, async (c) => {
    const minutes = c.req.valid("query").minutes ?? 60;
    const snapshot = await engine.metrics({ minutes });
    return c.json({ now: Date.now(), bucketEdgesMs: [...BUCKET_EDGES_MS], ...snapshot }, 200);
  });
}
