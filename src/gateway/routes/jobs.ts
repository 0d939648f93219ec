/**
 * `/v1/jobs`: enqueue one or many (a bulk may be a dependency graph, its items naming each other
 * by `ref`), list with filters across queues and states, read one with its prerequisites and
 * first dependents.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { EnqueueOptions as EngineEnqueueOptions } from "../../job/options.ts";
import { JOB_STATES } from "../../job/states.ts";
import { JobNotFoundError } from "../../job/errors.ts";
import { enqueueFailure } from "../enqueue_errors.ts";
import { pageAcross } from "../pager.ts";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { IdParams, LaneName, PageQuery, QueueName, StateName } from "../schemas/common.ts";
import { BulkRequest, EnqueueRequest, JobPage } from "../schemas/job.ts";
import { JobDetail } from "../schemas/graph.ts";
import { isFinalState } from "../../job/states.ts";
import { jobWhenFinished, WaitMs, WaitQuery } from "../job_wait.ts";
import { Job } from "../schemas/job.ts";

/** One job to enqueue, and how long to wait for it to finish. */
const EnqueueOneRequest = EnqueueRequest.extend({ wait: WaitMs.optional() })
  .openapi("EnqueueOneRequest");

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
  summary: "Enqueue one job; with `wait`, answer once it finished",
  description: "With `wait` (ms, at most 60,000) the request is held until the job completes, " +
    "dies or is cancelled on any node, or the wait ends, and the answer carries the job as it " +
    "is then (`finished` says which): a fast job's result in one request.",
  security: security("post"),
  request: { body: jsonBody(EnqueueOneRequest) },
  responses: {
    201: jsonResponse(
      "the job id (the existing one for a repeated `options.id`); with `wait`, the job too",
      z.object({
        id: z.string(),
        finished: z.boolean().optional().openapi({ description: "with `wait`: it finished" }),
        job: Job.optional().openapi({ description: "with `wait`: the job when the wait ended" }),
      }),
    ),
    ...errorResponses(409, 413, 415, 422),
  },
});

const bulk = createRoute({
  method: "post",
  path: "/v1/jobs/bulk",
  tags: ["jobs"],
  summary: "Enqueue many jobs atomically: all or none",
  description: "Items may depend on each other: an item's `ref`, listed in another's " +
    "`options.dependsOn`, makes a dependency graph, checked whole and stored in one step. A " +
    "cycle is a 400 `INVALID_GRAPH` naming it (`details.cycle`), an unknown prerequisite a 422 " +
    "`UNKNOWN_PREREQUISITE`, a unique key held by another job a 409 `DUPLICATE_JOB` " +
    "(`details.existingId`); `issues` name the item as `jobs.<index>`, and nothing is stored.",
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
  summary: "Read one job: state, payload, result, error, attempts, progress, dependencies",
  description: "`dependencies` lists every prerequisite and the first 50 dependents, each with " +
    "its state; `GET /v1/jobs/{id}/dependencies?cursor=` continues the dependents. With " +
    "`wait` (ms, at most 60,000) the answer comes once the job finished (completed, dead or " +
    "cancelled) or the wait ended, whichever is first.",
  security: security("get"),
  request: { params: IdParams, query: WaitQuery },
  responses: { 200: jsonResponse("the job", JobDetail), ...errorResponses(404) },
});

/** Adds the job routes. */
export function jobRoutes({ app, engine, stacks }: RouteContext): void {
  app.openapi(enqueue, async (c) => {
    const { job, payload, options, wait } = c.req.valid("json");
    const id = await engine.enqueue(job, payload, engineOptions(options)).catch((error) => {
      throw enqueueFailure(error, false);
    });
    if (wait === undefined) return c.json({ id }, 201);
    const found = await jobWhenFinished(engine, id, wait);
    if (!found) return c.json({ id, finished: true }, 201); // finished, and not kept
    return c.json({ id, finished: isFinalState(found.state), job: stacks.job(c, found) }, 201);
  });

  app.openapi(bulk, async (c) => {
    const { jobs } = c.req.valid("json");
    const ids = await engine.enqueueBulk(jobs.map((j) => ({
      job: j.job,
      payload: j.payload,
      options: engineOptions(j.options),
      ...(j.ref === undefined ? {} : { ref: j.ref }),
    }))).catch((error) => {
      throw enqueueFailure(error, true);
    });
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
    const job = await jobWhenFinished(engine, id, c.req.valid("query").wait ?? 0);
    if (!job) throw new JobNotFoundError(id);
    const dependencies = await engine.dependencies(id);
    return c.json({ ...stacks.job(c, job), dependencies }, 200);
  });
}
