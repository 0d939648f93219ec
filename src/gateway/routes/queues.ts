/**
 * `/v1/queues`: every queue with its depth per lane and state; pause and resume one (an unknown
 * queue is a 404 unless `?create=1` asks to create it).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse, type RouteContext, security } from "../route.ts";
import { LaneName, QueueParams, StateName } from "../schemas/common.ts";

const PerState = z.record(StateName, z.number().int());

const Queue = z.object({
  queue: z.string(),
  paused: z.boolean(),
  states: PerState,
  lanes: z.record(LaneName, PerState),
}).openapi("Queue");

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
  summary: "One queue's depth per lane and state (zeros for a queue never used)",
  security: security("get"),
  request: { params: QueueParams },
  responses: { 200: jsonResponse("the queue", Queue), ...errorResponses() },
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

const creates = (flag: string | undefined): boolean => flag === "1" || flag === "true";

/** Adds the queue routes. */
export function queueRoutes({ app, engine }: RouteContext): void {
  app.openapi(list, async (c) => {
    const all = await engine.counts();
    const queues = Object.keys(all).sort().map((name) => all[name]!);
    return c.json({ queues }, 200);
  });

  app.openapi(one, async (c) => c.json(await engine.counts(c.req.valid("param").queue), 200));

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
