/**
 * `/v1/jobs`: enqueue one or many, list with filters across queues and states, read one.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { EnqueueOptions as EngineEnqueueOptions } from "../../job/options.ts";
import { JOB_STATES } from "../../job/states.ts";
import { JobNotFoundError } from "../../job/errors.ts";
import { pageAcross } from "../pager.ts";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { IdParams, LaneName, PageQuery, QueueName, StateName } from "../schemas/common.ts";
import { BulkRequest, EnqueueRequest, Job, JobPage } from "../schemas/job.ts";

/** The engine's options from validated request options (`runAt` is epoch ms by then). */
export function engineOptions(
  options: z.infer<typeof EnqueueRequest>["options"],
): EngineEnqueueOptions | undefined {
  return options as EngineEnqueueOptions | undefined;
}

const enqueue = createRoute({
  method: "post",
  path: "/v1/jobs",
  tags: ["jobs"],
  summary: "Enqueue one job",
  security: security("post"),
  request: { body: jsonBody(EnqueueRequest) },
  responses: {
    201: jsonResponse(
      "the job id (the existing one for a repeated `options.id`)",
      z.object({ id: z.string() }),
    ),
    ...errorResponses(409, 413, 415, 422),
  },
});

const bulk = createRoute({
  method: "post",
  path: "/v1/jobs/bulk",
  tags: ["jobs"],
  summary: "Enqueue many jobs atomically: all or none",
  security: security("post"),
  request: { body: jsonBody(BulkRequest) },
  responses: {
    201: jsonResponse("the ids, in item order", z.object({ ids: z.array(z.string()) })),
    ...errorResponses(409, 413, 415, 422),
  },
});

const ListQuery = PageQuery.extend({
  queue: QueueName.optional(),
  state: StateName.optional(),
  lane: LaneName.optional(),
  function: z.string().min(1).optional(),
});

const list = createRoute({
  method: "get",
  path: "/v1/jobs",
  tags: ["jobs"],
  summary: "List jobs, filtered by queue, state, lane and function, a page at a time",
  description: "Without `queue` or `state`, lists every queue (by name) and state in turn. " +
    "`function` filters each store page, so a page may hold fewer jobs than `limit` while " +
    "`nextCursor` is set.",
  security: security("get"),
  request: { query: ListQuery },
  responses: { 200: jsonResponse("a page of jobs", JobPage), ...errorResponses() },
});

const get = createRoute({
  method: "get",
  path: "/v1/jobs/{id}",
  tags: ["jobs"],
  summary: "Read one job: state, payload, result, error, attempts",
  security: security("get"),
  request: { params: IdParams },
  responses: { 200: jsonResponse("the job", Job), ...errorResponses(404) },
});

/** Adds the job routes. */
export function jobRoutes({ app, engine, stacks }: RouteContext): void {
  app.openapi(enqueue, async (c) => {
    const { job, payload, options } = c.req.valid("json");
    const id = await engine.enqueue(job, payload, engineOptions(options));
    return c.json({ id }, 201);
  });

  app.openapi(bulk, async (c) => {
    const { jobs } = c.req.valid("json");
    const ids = await engine.enqueueBulk(
      jobs.map((j) => ({ job: j.job, payload: j.payload, options: engineOptions(j.options) })),
    );
    return c.json({ ids }, 201);
  });

  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const queues = q.queue ? [q.queue] : (await engine.queues()).sort();
    const states = q.state ? [q.state] : JOB_STATES;
    const sources = queues.flatMap((queue) => states.map((state) => `${state}/${queue}`));
    const page = await pageAcross({
      sources,
      limit: q.limit ?? 50,
      cursor: q.cursor,
      read: async (source, cursor, limit) => {
        const [state, queue] = [
          source.slice(0, source.indexOf("/")),
          source.slice(source.indexOf("/") + 1),
        ];
        const found = await engine.listJobs({
          queue,
          state: state as (typeof JOB_STATES)[number],
          limit,
          ...(q.lane ? { lane: q.lane } : {}),
          ...(cursor ? { cursor } : {}),
        });
        return { items: found.jobs, nextCursor: found.nextCursor };
      },
      ...(q.function ? { keep: (j: { name: string }) => j.name === q.function } : {}),
    });
    return c.json(
      { jobs: page.items.map((j) => stacks.job(c, j)), nextCursor: page.nextCursor },
      200,
    );
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const job = await engine.getJob(id);
    if (!job) throw new JobNotFoundError(id);
    return c.json(stacks.job(c, job), 200);
  });
}
