/**
 * A job's dependency graph: its prerequisites and dependents page by page, and the graph
 * connected to it (nodes and edges, capped, with a cursor).
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type RouteContext, security } from "../route.ts";
import { IdParams } from "../schemas/common.ts";
import { DependentsQuery, GraphQuery, JobDependencies, JobGraph } from "../schemas/graph.ts";

const dependencies = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/dependencies",
  tags: ["jobs"],
  summary: "A job's prerequisites and a page of its dependents, each with its state",
  description: "Every prerequisite, and `limit` dependents (default 50, at most 1,000) in " +
    "enqueue order from `cursor` (the `nextCursor` of the page before).",
  security: security("get"),
  request: { params: IdParams, query: DependentsQuery },
  responses: {
    200: jsonResponse("its prerequisites and dependents", JobDependencies),
    ...errorResponses(404),
  },
});

const graph = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/graph",
  tags: ["jobs"],
  summary: "The dependency graph connected to a job: nodes and edges, a page at a time",
  description: "Walks prerequisites and dependents in both directions, breadth first from the " +
    "job. A page holds `limit` nodes (default 200, at most 2,000) and the edges (prerequisite " +
    "-> dependent) of those nodes, each edge once across pages; `nextCursor` continues. Every " +
    "page walks again from the job, so later pages cost more than the first.",
  security: security("get"),
  request: { params: IdParams, query: GraphQuery },
  responses: { 200: jsonResponse("a page of the graph", JobGraph), ...errorResponses(404) },
});

/** Adds the dependency graph routes. */
export function jobGraphRoutes({ app, engine }: RouteContext): void {
  app.openapi(dependencies, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await engine.dependencies(id, c.req.valid("query")), 200);
  });

  app.openapi(graph, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await engine.graph(id, c.req.valid("query")), 200);
  });
}
