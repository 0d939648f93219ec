/**
 * `/v1/schedules`: cron schedules: list them, define one (`PUT`), delete, pause, resume and
 * trigger one. Schedules live in the store: every gateway and node sees the same ones.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { ScheduleNotFoundError } from "../../job/schedule_errors.ts";
import { engineOptions } from "./jobs.ts";
import { errorResponses, jsonBody, jsonResponse, type RouteContext, security } from "../route.ts";
import { Ok } from "../schemas/common.ts";
import { Schedule, ScheduleParams, ScheduleRequest } from "../schemas/schedule.ts";

const list = createRoute({
  method: "get",
  path: "/v1/schedules",
  tags: ["schedules"],
  summary: "Every schedule, by name, with its next 5 fire times",
  security: security("get"),
  responses: {
    200: jsonResponse("the schedules", z.object({ schedules: z.array(Schedule) })),
    ...errorResponses(),
  },
});

const one = createRoute({
  method: "get",
  path: "/v1/schedules/{name}",
  tags: ["schedules"],
  summary: "One schedule",
  security: security("get"),
  request: { params: ScheduleParams },
  responses: { 200: jsonResponse("the schedule", Schedule), ...errorResponses(404) },
});

const put = createRoute({
  method: "put",
  path: "/v1/schedules/{name}",
  tags: ["schedules"],
  summary: "Define a schedule, or redefine it (it stays paused if it was)",
  description: "The pattern, zone and payload are checked before anything is stored. A new " +
    "pattern or zone starts the schedule from now; otherwise its next fire time is kept.",
  security: security("put"),
  request: { params: ScheduleParams, body: jsonBody(ScheduleRequest) },
  responses: { 200: jsonResponse("the schedule", Schedule), ...errorResponses(415, 422) },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/schedules/{name}",
  tags: ["schedules"],
  summary: "Delete a schedule (the jobs it enqueued stay)",
  security: security("delete"),
  request: { params: ScheduleParams },
  responses: { 200: jsonResponse("deleted", Ok), ...errorResponses(404) },
});

function toggle(action: "pause" | "resume") {
  return createRoute({
    method: "post",
    path: `/v1/schedules/{name}/${action}`,
    tags: ["schedules"],
    summary: action === "pause"
      ? "Pause a schedule: nothing fires until it is resumed"
      : "Resume a schedule from now on (ticks of the paused time do not fire)",
    security: security("post"),
    request: { params: ScheduleParams },
    responses: { 200: jsonResponse("the schedule", Schedule), ...errorResponses(404) },
  });
}

const trigger = createRoute({
  method: "post",
  path: "/v1/schedules/{name}/trigger",
  tags: ["schedules"],
  summary: "Enqueue a job of a schedule now; its fire times do not change",
  security: security("post"),
  request: { params: ScheduleParams },
  responses: {
    201: jsonResponse("the job id", z.object({ id: z.string() })),
    ...errorResponses(404, 409),
  },
});

/** Adds the schedule routes. */
export function scheduleRoutes({ app, engine }: RouteContext): void {
  app.openapi(list, async (c) => c.json({ schedules: await engine.schedules.list() }, 200));

  app.openapi(one, async (c) => {
    const { name } = c.req.valid("param");
    const schedule = await engine.schedules.get(name);
    if (!schedule) throw new ScheduleNotFoundError(name);
    return c.json(schedule, 200);
  });

  app.openapi(put, async (c) => {
    const { name } = c.req.valid("param");
    const { options, ...spec } = c.req.valid("json");
    const schedule = await engine.schedules.set(name, {
      ...spec,
      ...(options ? { options: engineOptions(options)! } : {}),
    });
    return c.json(schedule, 200);
  });

  app.openapi(remove, async (c) => {
    const { name } = c.req.valid("param");
    if (!(await engine.schedules.delete(name))) throw new ScheduleNotFoundError(name);
    return c.json({ ok: true as const }, 200);
  });

  for (const action of ["pause", "resume"] as const) {
    app.openapi(toggle(action), async (c) => {
      return c.json(await engine.schedules[action](c.req.valid("param").name), 200);
    });
  }

  app.openapi(trigger, async (c) => {
    return c.json({ id: await engine.schedules.trigger(c.req.valid("param").name) }, 201);
  });
}
