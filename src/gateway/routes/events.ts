/**
 * `POST /v1/events/{name}`: publishes an event; every function subscribed to it (`on`) gets a
 * job, atomically.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { MAX_SCHEDULE_AHEAD_MS } from "../../job/options.ts";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { Instant, LaneName } from "../schemas/common.ts";

const EmitRequest = z.object({
  payload: z.unknown().optional().openapi({ example: { to: "ada@example.com", name: "Ada" } }),
  options: z.strictObject({
    priority: LaneName.optional(),
    delay: z.number().min(0).max(MAX_SCHEDULE_AHEAD_MS).optional().openapi({
      description: "ms from now, at most a year",
    }),
    runAt: Instant.optional(),
    id: z.string().min(1).max(200).optional().openapi({
      description: "event id: each job gets `<id>:<function>`, so emitting again stores nothing",
    }),
  }).optional(),
}).openapi("EmitRequest");

const emit = createRoute({
  method: "post",
  path: "/v1/events/{name}",
  tags: ["events"],
  summary: "Publish an event: one job per subscribed function, all or none",
  security: security("post"),
  request: {
    params: z.object({
      name: z.string().min(1).max(200).openapi({
        param: { name: "name", in: "path" },
        example: "user.created",
      }),
    }),
    body: jsonBody(EmitRequest),
  },
  responses: {
    202: jsonResponse(
      "the job ids in function-name order (none when nobody listens)",
      z.object({ event: z.string(), ids: z.array(z.string()) }),
    ),
    ...errorResponses(413, 415, 422),
  },
});

/** Adds the event route. */
export function eventRoutes({ app, engine }: RouteContext): void {
  app.openapi(emit, async (c) => {
    const { name } = c.req.valid("param");
    const { payload, options } = c.req.valid("json");
    return c.json({ event: name, ids: await engine.emit(name, payload, options ?? {}) }, 202);
  });
}
