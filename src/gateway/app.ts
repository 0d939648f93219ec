/**
 * `createGateway(engine, options)`: the Hono app of Sluice. REST under `/v1` (jobs, queues,
 * dead letters, schedules, nodes, events, the event stream), `/healthz`, `/readyz`, `/metrics`,
 * `/openapi.json` (generated from the zod schemas that validate the requests) and the dashboard
 * at `/`. It knows the engine only, never the store.
 *
 * Safe by default: it needs tokens, or `open: true` for a gateway without any (which then
 * answers loopback host names only and refuses state changes from other origins); bodies are
 * JSON only, read once and checked (size, UTF-8, nesting: `body_guard.ts`); pages may not be
 * framed.
 *
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import type { Engine } from "../engine.ts";
import { consoleLogger, type Logger } from "../job/logger.ts";
import { authEnabled, type GatewayTokens, requireToken } from "./auth.ts";
import { guardBodies } from "./body_guard.ts";
import { dashboardRoutes } from "./dashboard.ts";
import { ApiError, errorResponse, fieldIssues, jsonErrors, onError } from "./errors.ts";
import { type EventLog, StoreEventLog } from "./event_log.ts";
import { jsonBodiesOnly, openModeGuard } from "./guards.ts";
import { notFoundOrNotAllowed } from "./method_not_allowed.ts";
import { GatewayMetrics } from "./metrics.ts";
import { describeApi } from "./openapi.ts";
import type { RouteContext } from "./route.ts";
import { deadLetterRoutes } from "./routes/dead_letters.ts";
import { eventRoutes } from "./routes/events.ts";
import { jobActionRoutes } from "./routes/job_actions.ts";
import { jobGraphRoutes } from "./routes/job_graph.ts";
import { jobLogRoutes } from "./routes/job_logs.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { metricsApiRoutes } from "./routes/metrics_api.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { queueRoutes } from "./routes/queues.ts";
import { rescheduleRoutes } from "./routes/reschedule.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { streamRoutes } from "./routes/stream.ts";
import { systemRoutes } from "./routes/system.ts";
import { EventStreams } from "./sse.ts";
import { stackPolicy } from "./stacks.ts";

/** Options of `createGateway`. */
export interface GatewayOptions {
  /** Bearer tokens (the CLI reads `SLUICE_ADMIN_TOKEN`, `SLUICE_READ_TOKEN`). */
  tokens?: GatewayTokens;
  /**
   * Serve without tokens (default false: a gateway without tokens is refused). An open gateway
   * answers only loopback `Host` names (127.0.0.1, localhost, [::1]), refuses state changes from
   * other origins, and `serveGateway` listens on loopback only.
   */
  open?: boolean;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Where request failures are logged (default: the console). */
  logger?: Logger;
  /** Prefix of the metric names (default `sluice_`). */
  metricsPrefix?: string;
  /** Keep-alive interval of the event stream (ms, default 15,000). */
  keepAliveMs?: number;
  /** Events waiting for one event-stream client at most; a slower client is dropped (1,000). */
  streamBufferLimit?: number;
  /** Event streams open at once at most; more get 503 (default 64). */
  maxStreams?: number;
  /**
   * Where the event stream reads from (default: the store's shared stream of every process's
   * job events, `StoreEventLog`; how far back a client can resume is the store's `events`).
   */
  eventLog?: EventLog;
  /** Show stack traces to read-token callers too (default false: admin callers only). */
  exposeStacks?: boolean;
  /** How long `/readyz` waits for the store (ms, default 2,000). */
  readyTimeoutMs?: number;
  /** Serve the dashboard at `/` (default true). */
  dashboard?: boolean;
}

/** A gateway: its Hono app and what it holds open. */
export interface Gateway {
  /** The Hono app (`app.fetch` for `Deno.serve`, `app.request` in tests). */
  readonly app: OpenAPIHono;
  /** True when bearer tokens are required (false for an `open` gateway). */
  readonly authEnabled: boolean;
  /** The metrics, in a registry of this gateway's own. */
  readonly metrics: GatewayMetrics;
  /** Ends the open event streams (not the engine). */
  close(): void;
}

const MiB = 1024 * 1024;

function sizeText(bytes: number): string {
  const whole = bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${Math.round(bytes / 1024)} KiB`;
  return `${whole} (${bytes.toLocaleString("en-US")} bytes)`;
}

function checkAccess(options: GatewayOptions): GatewayTokens {
  const tokens = options.tokens ?? {};
  if (authEnabled(tokens) && options.open) {
    throw new TypeError("createGateway: give tokens or open: true, not both");
  }
  if (!authEnabled(tokens) && options.open !== true) {
    throw new TypeError(
      "createGateway: no token given; pass tokens ({ admin, read }), or open: true for a " +
        "gateway without auth (loopback only)",
    );
  }
  return tokens;
}

function baseApp(options: GatewayOptions, logger: Logger, open: boolean): OpenAPIHono {
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
  app.notFound(notFoundOrNotAllowed(app));
  app.use("*", jsonErrors);
  app.use(
    "*",
    secureHeaders({
      xFrameOptions: "DENY",
      strictTransportSecurity: false, // the operator's TLS proxy decides
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
      },
    }),
  );
  if (open) app.use("*", openModeGuard());
  app.use("*", jsonBodiesOnly());
  const maxSize = options.maxBodyBytes ?? MiB;
  app.use(
    "*",
    guardBodies({
      maxBytes: maxSize,
      tooLarge: () =>
        new ApiError(
          413,
          "BODY_TOO_LARGE",
          `the request body is larger than the limit of ${sizeText(maxSize)}`,
        ),
    }),
  );
  return app;
}

/** Creates the gateway of `engine`; throws a `TypeError` without tokens unless `open: true`. */
export function createGateway(engine: Engine, options: GatewayOptions = {}): Gateway {
  const tokens = checkAccess(options);
  const logger = options.logger ?? consoleLogger;
  const app = baseApp(options, logger, !authEnabled(tokens));
  const auth = requireToken(tokens);
  app.use("/v1/*", auth);
  app.use("/metrics", auth);

  const metrics = new GatewayMetrics(engine, options.metricsPrefix);
  const log = options.eventLog ?? new StoreEventLog(engine);
  const streams = new EventStreams(log, {
    keepAliveMs: options.keepAliveMs ?? 15_000,
    bufferLimit: options.streamBufferLimit ?? 1_000,
    maxStreams: options.maxStreams ?? 64,
  });
  const ctx: RouteContext = { app, engine, stacks: stackPolicy(options.exposeStacks ?? false) };
  jobRoutes(ctx);
  jobActionRoutes(ctx);
  jobGraphRoutes(ctx);
  rescheduleRoutes(ctx);
  jobLogRoutes(ctx);
  queueRoutes(ctx);
  deadLetterRoutes(ctx);
  scheduleRoutes(ctx);
  nodeRoutes(ctx);
  metricsApiRoutes(ctx);
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
    },
  };
}
