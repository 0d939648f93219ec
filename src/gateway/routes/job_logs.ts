/**
 * `GET /v1/jobs/{id}/logs`: the log lines a job stored with `ctx.log`, from whichever node (or
 * isolate) ran it.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { JobNotFoundError } from "../../job/errors.ts";
import { JOB_LOG_LIMIT } from "../../store/_shared.ts";
import { errorResponses, jsonResponse, type RouteContext, security } from "../route.ts";
import { IdParams } from "../schemas/common.ts";

/** A stored log line. */
const JobLogLine = z.object({
  at: z.number().openapi({ description: "epoch ms, the clock of the node that ran it" }),
  level: z.enum(["debug", "info", "warn", "error"]),
  message: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
}).openapi("JobLogLine");

const logs = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/logs",
  tags: ["jobs"],
  summary: "A job's log lines (`ctx.log`), oldest first",
  description: "Every attempt's lines, from any node or isolate; a job keeps its newest " +
    `${JOB_LOG_LIMIT} lines.`,
  security: security("get"),
  request: { params: IdParams },
  responses: {
    200: jsonResponse("its log lines", z.object({ logs: z.array(JobLogLine) })),
    ...errorResponses(404),
  },
});

/** Adds the job log route. */
export function jobLogRoutes({ app, engine }: RouteContext): void {
  app.openapi(logs, async (c) => {
    const { id } = c.req.valid("param");
    const [job, lines] = await Promise.all([engine.getJob(id), engine.jobLogs(id)]);
    if (!job) throw new JobNotFoundError(id);
    return c.json({ logs: lines }, 200);
  });
}
