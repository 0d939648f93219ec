/**
 * `GET /v1/stream`: server-sent events of job life-cycle events (see `../sse.ts`).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { StoredEventType } from "../../store/observations.ts";
import { errorResponses, type RouteContext, security } from "../route.ts";
import { QueueName } from "../schemas/common.ts";
import { type EventStreams, STREAM_EVENT_TYPES } from "../sse.ts";

const Types = z.string().transform((text, ctx) => {
  const types = text.split(",").map((t) => t.trim()).filter(Boolean);
  const unknown = types.filter((t) => !STREAM_EVENT_TYPES.includes(t as StoredEventType));
  if (unknown.length > 0 || types.length === 0) {
    ctx.addIssue({
      code: "custom",
      message: `unknown event type(s) ${unknown.join(", ") || "(none given)"}; known: ${
        STREAM_EVENT_TYPES.join(", ")
      }`,
    });
    return z.NEVER;
  }
  return types as StoredEventType[];
}).openapi({ example: "completed,failed", type: "string" });

const stream = createRoute({
  method: "get",
  path: "/v1/stream",
  tags: ["events"],
  summary: "Server-sent events of job life-cycle events",
  description: "The job events of every process, from the store's shared stream. Each " +
    "message's `event` is the type (`enqueued`, `active`, `completed`, `failed`, `cancelled`, " +
    "`requeued`, `progress`), its `id` the stored event id to send back as `Last-Event-ID`, and " +
    "its `data` the event as JSON. A `ready` event opens the stream; a resume then sends the " +
    "events after `Last-Event-ID` that the store still holds before going on live, and starts " +
    "with a `reset` event (re-read the state) when it no longer holds that id. Comment lines " +
    "keep the stream alive. A client that falls too far behind is dropped (it resumes with " +
    "Last-Event-ID); beyond the most streams a gateway serves, 503.",
  security: security("get"),
  request: {
    query: z.object({ types: Types.optional(), queue: QueueName.optional() }),
    headers: z.object({ "last-event-id": z.string().max(200).optional() }),
  },
  responses: {
    200: {
      description: "the event stream",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses(),
  },
});

/** Adds the event stream route. */
export function streamRoutes({ app, stacks }: RouteContext, streams: EventStreams): void {
  app.openapi(stream, (c) => {
    const { types, queue } = c.req.valid("query");
    return streams.respond(c, {
      types: types ?? STREAM_EVENT_TYPES,
      queue,
      lastEventId: c.req.valid("header")["last-event-id"],
      view: (logged) => stacks.event(c, logged),
    });
  });
}
