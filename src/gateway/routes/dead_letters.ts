/**
 * `/v1/dead-letters`: list dead jobs (one queue or all), requeue one or every one matching a
 * filter, purge one or by filter.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { DeadLetterFilter } from "../../engine/dead_letter_queue.ts";
import { pageAcross } from "../pager.ts";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { IdParams, Instant, PageQuery, QueryInstant, QueueName } from "../schemas/common.ts";
import { JobPage } from "../schemas/job.ts";

const Criteria = {
  function: z.string().min(1).optional(),
  errorContains: z.string().min(1).optional(),
};

const ListQuery = PageQuery.extend({
  queue: QueueName.optional(),
  ...Criteria,
  failedAfter: QueryInstant.optional(),
  failedBefore: QueryInstant.optional(),
});

const Filter = z.strictObject({
  queue: QueueName,
  ...Criteria,
  failedAfter: Instant.optional(),
  failedBefore: Instant.optional(),
}).openapi("DeadLetterFilter");

type FilterFields = Omit<z.infer<typeof ListQuery>, "limit" | "cursor" | "queue">;

function filterOf(queue: string, f: FilterFields): DeadLetterFilter {
  return {
    queue,
    ...(f.function ? { name: f.function } : {}),
    ...(f.errorContains ? { errorContains: f.errorContains } : {}),
    ...(f.failedAfter !== undefined ? { failedAfter: f.failedAfter } : {}),
    ...(f.failedBefore !== undefined ? { failedBefore: f.failedBefore } : {}),
  };
}

const list = createRoute({
  method: "get",
  path: "/v1/dead-letters",
  tags: ["dead letters"],
  summary: "List dead jobs, oldest first, of one queue or every queue",
  security: security("get"),
  request: { query: ListQuery },
  responses: { 200: jsonResponse("a page of dead jobs", JobPage), ...errorResponses() },
});

const Count = z.object({ count: z.number().int() }).openapi("CountAnswer");

function byFilter(action: "requeue" | "purge") {
  return createRoute({
    method: "post",
    path: `/v1/dead-letters/${action}`,
    tags: ["dead letters"],
    summary: action === "requeue"
      ? "Requeue every dead job of a queue matching the filter"
      : "Delete every dead job of a queue matching the filter (`{ queue }` alone: all)",
    security: security("post"),
    request: { body: jsonBody(Filter) },
    responses: { 200: jsonResponse("how many", Count), ...errorResponses(415) },
  });
}

function one(method: "post" | "delete") {
  return createRoute({
    method,
    path: method === "post" ? "/v1/dead-letters/{id}/requeue" : "/v1/dead-letters/{id}",
    tags: ["dead letters"],
    summary: method === "post" ? "Requeue one dead job (attempts reset)" : "Purge one dead job",
    security: security(method),
    request: { params: IdParams },
    responses: { 200: jsonResponse("done", Count), ...errorResponses(404, 409) },
  });
}

/** Adds the dead-letter routes. */
export function deadLetterRoutes({ app, engine, stacks }: RouteContext): void {
  const dead = engine.deadLetters;

  app.openapi(list, async (c) => {
    const { limit, cursor, queue, ...criteria } = c.req.valid("query");
    const page = await pageAcross({
      sources: queue ? [queue] : (await engine.queues()).sort(),
      limit: limit ?? 50,
      cursor,
      read: async (source, inner, n) => {
        const found = await dead.list({ ...filterOf(source, criteria), limit: n, cursor: inner });
        return { items: found.jobs, nextCursor: found.nextCursor };
      },
    });
    return c.json(
      { jobs: page.items.map((j) => stacks.job(c, j)), nextCursor: page.nextCursor },
      200,
    );
  });

  app.openapi(byFilter("requeue"), async (c) => {
    const { queue, ...criteria } = c.req.valid("json");
    return c.json({ count: await dead.requeueMany(filterOf(queue, criteria)) }, 200);
  });

  app.openapi(byFilter("purge"), async (c) => {
    const { queue, ...criteria } = c.req.valid("json");
    return c.json({ count: await dead.purge(filterOf(queue, criteria)) }, 200);
  });

  app.openapi(one("post"), async (c) => {
    await dead.requeue(c.req.valid("param").id);
    return c.json({ count: 1 }, 200);
  });

  app.openapi(one("delete"), async (c) => {
    return c.json({ count: await dead.purge(c.req.valid("param").id) }, 200);
  });
}
