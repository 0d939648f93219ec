/**
 * The Sluice gateway: a Hono app serving the REST API (`/v1`), the event stream, Prometheus
 * metrics, the OpenAPI document and the dashboard for an engine. The core (`mod.ts`) never
 * imports Hono; this entry does.
 *
 * @example Serve a gateway for an engine
 * ```ts
 * import { createEngine } from "./mod.ts";
 * import { createGateway, serveGateway } from "./gateway.ts";
 *
 * const engine = createEngine({ store: "memory://" });
 * const admin = Deno.env.get("SLUICE_ADMIN_TOKEN");
 * // with a token: every interface, bearer auth; without: `open`, loopback names only
 * const gateway = createGateway(engine, admin ? { tokens: { admin } } : { open: true });
 * const server = serveGateway(gateway, { port: 8000 });
 * // ... later
 * await server.shutdown();
 * gateway.close();
 * await engine.close();
 * ```
 *
 * @module
 */
export { createGateway, type Gateway, type GatewayOptions } from "./src/gateway/app.ts";
export { type GatewayTokens, type Scope } from "./src/gateway/auth.ts";
export type { ErrorBody, FieldIssue } from "./src/gateway/errors.ts";
export { GatewayMetrics } from "./src/gateway/metrics.ts";
export { serveGateway, type ServeOptions } from "./src/gateway/serve.ts";
export {
  type EventLog,
  type LoggedEvent,
  type LogSubscription,
  StoreEventLog,
  STREAM_EVENT_TYPES,
} from "./src/gateway/event_log.ts";
