/**
 * Actions on one job: its attempts, change its priority, cancel it, retry it (a dead job runs
 * again with its attempts reset).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { JobNotFoundError } from "../../job/errors.ts";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { IdParams, LaneName, StateName } from "../schemas/common.ts";
import { Attempt } from "../schemas/job.ts";

const JobState = z.object({ id: z.string(), state: StateName }).openapi("JobStateAnswer");

const attempts = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/attempts",
  tags: ["jobs"],
  summary: "A job's attempts, oldest first (the newest 25 are kept)",
  security: security("get"),
  request: { params: IdParams },
  responses: {
    200: jsonResponse("its attempts", z.object({ id: z.string(), attempts: z.array(Attempt) })),
    ...errorResponses(404),
  },
});

const priority = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/priority",
  tags: ["jobs"],
  summary: "Move a waiting or delayed job to another lane, keeping its place in line",
  security: security("post"),
  request: { params: IdParams, body: jsonBody(z.object({ priority: LaneName })) },
  responses: {
    200: jsonResponse("moved", z.object({ id: z.string(), priority: LaneName })),
    ...errorResponses(404, 409, 415),
  },
});

const cancel = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/cancel",
  tags: ["jobs"],
  summary: "Cancel a job",
  description: "Waiting, delayed and blocked jobs become `cancelled` at once; an active job " +
    "has its signal aborted and the answer says `active`.",
  security: security("post"),
  request: { params: IdParams },
  responses: { 200: jsonResponse("its state now", JobState), ...errorResponses(404, 409) },
});

const retry = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/retry",
  tags: ["jobs"],
  summary: "Run a dead job again: attempts reset, at the end of its lane",
  security: security("post"),
  request: { params: IdParams },
  responses: { 200: jsonResponse("its state now", JobState), ...errorResponses(404, 409) },
});

/** Adds the job action routes. */
export function jobActionRoutes({ app, engine, stacks }: RouteContext): void {
  app.openapi(attempts, async (c) => {
    const { id } = c.req.valid("param");
    const job = await engine.getJob(id);
    if (!job) throw new JobNotFoundError(id);
    return c.json({ id, attempts: stacks.job(c, job).history }, 200);
  });

  app.openapi(priority, async (c) => {
    const { id } = c.req.valid("param");
    const { priority } = c.req.valid("json");
    await engine.changePriority(id, priority);
    return c.json({ id, priority }, 200);
  });

  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid("param");
    return c.json({ id, state: await engine.cancel(id) }, 200);
  });

  app.openapi(retry, async (c) => {
    const { id } = c.req.valid("param");
    await engine.deadLetters.requeue(id);
    const job = await engine.getJob(id);
    if (!job) throw new JobNotFoundError(id);
    return c.json({ id, state: job.state }, 200);
  });
}
