/**
 * `createGateway(engine, options)`: the Hono app of Sluice. REST under `/v1` (jobs, queues,
 * dead letters, nodes, events, the event stream), `/healthz`, `/readyz`, `/metrics`,
 * `/openapi.json` (generated from the zod schemas that validate the requests) and the dashboard
 * at `/`. It knows the engine only, never the store.
 *
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { Engine } from "../engine.ts";
import { consoleLogger, type Logger } from "../job/logger.ts";
import { authEnabled, type GatewayTokens, requireToken } from "./auth.ts";
import { dashboardRoutes } from "./dashboard.ts";
import { ApiError, errorResponse, fieldIssues, jsonErrors, onError } from "./errors.ts";
import { GatewayMetrics } from "./metrics.ts";
import { describeApi } from "./openapi.ts";
import type { RouteContext } from "./route.ts";
import { deadLetterRoutes } from "./routes/dead_letters.ts";
import { eventRoutes } from "./routes/events.ts";
import { jobActionRoutes } from "./routes/job_actions.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { queueRoutes } from "./routes/queues.ts";
import { streamRoutes } from "./routes/stream.ts";
import { systemRoutes } from "./routes/system.ts";
import { EventStreams } from "./sse.ts";

/** Options of `createGateway`. */
export interface GatewayOptions {
  /** Bearer tokens (the CLI reads `SLUICE_ADMIN_TOKEN`, `SLUICE_READ_TOKEN`); none: open. */
  tokens?: GatewayTokens;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Where request failures are logged (default: the console). */
  logger?: Logger;
  /** Prefix of the metric names (default `sluice_`). */
  metricsPrefix?: string;
  /** Keep-alive interval of the event stream (ms, default 15,000). */
  keepAliveMs?: number;
  /** Events buffered per slow event-stream client (default 10,000). */
  streamBufferLimit?: number;
  /** How long `/readyz` waits for the store (ms, default 2,000). */
  readyTimeoutMs?: number;
  /** Serve the dashboard at `/` (default true). */
  dashboard?: boolean;
}

/** A gateway: its Hono app and what it holds open. */
export interface Gateway {
  /** The Hono app (`app.fetch` for `Deno.serve`, `app.request` in tests). */
  readonly app: OpenAPIHono;
  /** True when bearer tokens are required (at least one is configured). */
  readonly authEnabled: boolean;
  /** The metrics, in a registry of this gateway's own. */
  readonly metrics: GatewayMetrics;
  /** Ends the open event streams and stops listening to the engine (not the engine itself). */
  close(): void;
}

/** Creates the gateway of `engine`. */
export function createGateway(engine: Engine, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? consoleLogger;
  const tokens = options.tokens ?? {};
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = fieldIssues(result.error.issues);
      const where = issues.map((i) => i.path.join(".") || "(body)").join(", ");
      return errorResponse(
        c,
        new ApiError(400, "VALIDATION_FAILED", `invalid request: ${where}`, issues),
      );
    },
  });
  app.onError(onError(logger));
  app.notFound((c) => errorResponse(c, new ApiError(404, "NOT_FOUND", `no route ${c.req.path}`)));
  app.use("*", jsonErrors);
  app.use(
    "*",
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: (c) => {
        const error = new ApiError(413, "BODY_TOO_LARGE", "the request body is too large");
        return errorResponse(c, error);
      },
    }),
  );
  const auth = requireToken(tokens);
  app.use("/v1/*", auth);
  app.use("/metrics", auth);

  const metrics = new GatewayMetrics(engine, options.metricsPrefix);
  const streams = new EventStreams(engine, {
    keepAliveMs: options.keepAliveMs ?? 15_000,
    bufferLimit: options.streamBufferLimit ?? 10_000,
  });
  const ctx: RouteContext = { app, engine };
  jobRoutes(ctx);
  jobActionRoutes(ctx);
  queueRoutes(ctx);
  deadLetterRoutes(ctx);
  nodeRoutes(ctx);
  eventRoutes(ctx);
  streamRoutes(ctx, streams);
  systemRoutes(ctx, metrics, options.readyTimeoutMs ?? 2_000);
  describeApi(app);
  if (options.dashboard ?? true) dashboardRoutes(app);

  return {
    app,
    authEnabled: authEnabled(tokens),
    metrics,
    close(): void {
      streams.close();
      metrics.close();
    },
  };
}
