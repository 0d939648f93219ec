/**
 * `/v1/queues`: every queue with its depth per lane and state; one queue with its configuration
 * and the limits of its functions; pause, resume and configure one (an unknown queue is a 404
 * unless `?create=1` asks to create it).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { QueueParams } from "../schemas/common.ts";
import { Queue, QueueConfig, QueueConfigPatch, QueueDetail } from "../schemas/queue.ts";

const list = createRoute({
  method: "get",
  path: "/v1/queues",
  tags: ["queues"],
  summary: "Every queue with its depth per lane and state (cluster-wide)",
  security: security("get"),
  responses: {
    200: jsonResponse("the queues, by name", z.object({ queues: z.array(Queue) })),
    ...errorResponses(),
  },
});

const one = createRoute({
  method: "get",
  path: "/v1/queues/{queue}",
  tags: ["queues"],
  summary: "One queue's depth, configuration (lane weights, aging, rate limit) and the limits " +
    "of its functions (zeros and defaults for a queue never used)",
  security: security("get"),
  request: { params: QueueParams },
  responses: { 200: jsonResponse("the queue", QueueDetail), ...errorResponses() },
});

const CreateQuery = z.object({
  create: z.enum(["1", "true", "0", "false"]).optional().openapi({
    description: "`1`: act on the queue even if it does not exist yet (creating it)",
  }),
});

const Paused = z.object({ queue: z.string(), paused: z.boolean() }).openapi("PausedAnswer");

function toggle(action: "pause" | "resume") {
  return createRoute({
    method: "post",
    path: `/v1/queues/{queue}/${action}`,
    tags: ["queues"],
    summary: action === "pause"
      ? "Stop dispatch from a queue (producers can still enqueue)"
      : "Resume dispatch from a queue, in the order jobs were waiting",
    security: security("post"),
    request: { params: QueueParams, query: CreateQuery },
    responses: { 200: jsonResponse("done", Paused), ...errorResponses(404) },
  });
}

const configure = createRoute({
  method: "patch",
  path: "/v1/queues/{queue}/config",
  tags: ["queues"],
  summary: "Change a queue's lane weights, strict mode, aging or rate limit, for every node at " +
    "once (fields left out keep their value)",
  security: security("patch"),
  request: { params: QueueParams, query: CreateQuery, body: jsonBody(QueueConfigPatch) },
  responses: {
    200: jsonResponse("the configuration now in force", QueueConfig),
    ...errorResponses(404, 415),
  },
});

const creates = (flag: string | undefined): boolean => flag === "1" || flag === "true";

/** Adds the queue routes. */
export function queueRoutes({ app, engine }: RouteContext): void {
  app.openapi(list, async (c) => {
    const all = await engine.counts();
    const queues = Object.keys(all).sort().map((name) => all[name]!);
    return c.json({ queues }, 200);
  });

  app.openapi(one, async (c) => {
    const { queue } = c.req.valid("param");
    const [counts, config, limits] = await Promise.all([
      engine.counts(queue),
      engine.queueConfig(queue),
      engine.functionLimits(queue),
    ]);
    return c.json({ ...counts, config, limits }, 200);
  });

  app.openapi(configure, async (c) => {
    const { queue } = c.req.valid("param");
    const create = creates(c.req.valid("query").create);
    return c.json(await engine.configureQueue(queue, c.req.valid("json"), { create }), 200);
  });

  app.openapi(toggle("pause"), async (c) => {
    const { queue } = c.req.valid("param");
    await engine.pause(queue, { create: creates(c.req.valid("query").create) });
    return c.json({ queue, paused: true }, 200);
  });

  app.openapi(toggle("resume"), async (c) => {
    const { queue } = c.req.valid("param");
    await engine.resume(queue, { create: creates(c.req.valid("query").create) });
    return c.json({ queue, paused: false }, 200);
  });
}
