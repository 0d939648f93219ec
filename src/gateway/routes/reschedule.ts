/**
 * `POST /v1/jobs/{id}/reschedule`: moves the due time of a waiting, delayed or blocked job.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { MAX_SCHEDULE_AHEAD_MS } from "../../job/options.ts";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { IdParams, Instant, StateName } from "../schemas/common.ts";

const RescheduleRequest = z.strictObject({
  runAt: Instant.optional(),
  delay: z.number().min(0).max(MAX_SCHEDULE_AHEAD_MS).optional().openapi({
    description: "ms from now, at most a year",
  }),
}).refine((body) => (body.runAt === undefined) !== (body.delay === undefined), {
  message: "give runAt or delay, one of them",
}).openapi("RescheduleRequest");

const reschedule = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/reschedule",
  tags: ["jobs"],
  summary: "Move the due time of a waiting, delayed or blocked job",
  description: "Due later, the job is delayed; due now or earlier, it waits in its lane (a " +
    "blocked job runs no earlier than the new time once unblocked). A running or finished " +
    "job is refused with 409.",
  security: security("post"),
  request: { params: IdParams, body: jsonBody(RescheduleRequest) },
  responses: {
    200: jsonResponse("its state now", z.object({ id: z.string(), state: StateName })),
    ...errorResponses(404, 409, 415),
  },
});

/** Adds the reschedule route. */
export function rescheduleRoutes({ app, engine }: RouteContext): void {
  app.openapi(reschedule, async (c) => {
    const { id } = c.req.valid("param");
    const { runAt, delay } = c.req.valid("json");
    const state = await engine.reschedule(id, runAt !== undefined ? { runAt } : { delay: delay! });
    return c.json({ id, state }, 200);
  });
}
