/**
 * `/openapi.json`: the OpenAPI 3.1 document, generated from the route declarations and the zod
 * schemas that validate the requests, with the bearer scheme.
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import config from "../../deno.json" with { type: "json" };

/** Registers the security scheme and serves the document at `/openapi.json`. */
export function describeApi(app: OpenAPIHono): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "`SLUICE_READ_TOKEN` (GET endpoints) or `SLUICE_ADMIN_TOKEN` (every endpoint). " +
      "Scopes in the requirements: `read`, `admin`.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Sluice gateway",
      version: config.version,
      description: "REST API of the Sluice job queue. Every error has one shape: " +
        "`{ error: { code, message, status, issues?, details? } }`.",
    },
  });
}
