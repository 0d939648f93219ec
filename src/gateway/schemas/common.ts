/**
 * Zod schemas shared by several resources: names, ids, pages, the error body. The same schemas
 * validate requests and generate `/openapi.json`.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { JOB_STATES } from "../../job/states.ts";
import { LANES } from "../../job/lanes.ts";

/** `.` and `..`: URL clients resolve them as path segments, so no URL can name them. */
const notDotSegment = (name: string) => name !== "." && name !== "..";
const DOT_SEGMENT = { message: "'.' and '..' cannot be named in a URL path" };

/** A queue name: 1-128 letters, digits, `_`, `.` or `-`; not `.` or `..`. */
export const QueueName = z.string().regex(/^[A-Za-z0-9_.\-]{1,128}$/, {
  message: "use 1-128 letters, digits, '_', '.' or '-'",
}).refine(notDotSegment, DOT_SEGMENT).openapi({ example: "emails" });

/** A lane. */
export const LaneName = z.enum(LANES).openapi({ example: "high" });

/** A job state. */
export const StateName = z.enum(JOB_STATES).openapi({ example: "waiting" });

/** A job id (a ULID, or the caller's id); not `.` or `..`. */
export const JobId = z.string().min(1).max(256).refine(notDotSegment, DOT_SEGMENT)
  .openapi({ example: "01J9Z6Q8V7K3M2N4P5R6S7T8V9" });

/** Path parameters `{ id }`. */
export const IdParams = z.object({
  id: JobId.openapi({ param: { name: "id", in: "path" } }),
});

/** Path parameters `{ queue }`. */
export const QueueParams = z.object({
  queue: QueueName.openapi({ param: { name: "queue", in: "path" } }),
});

/** `limit` and `cursor` of a page request (query strings). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional().openapi({ example: 50 }),
  cursor: z.string().max(4096).optional(),
});

/** A time as epoch ms or an ISO 8601 date-time, read as epoch ms. */
export const Instant = z.union([
  z.number().int().min(0),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]).openapi({ example: "2030-01-01T00:00:00Z" });

/** The same in a query string. */
export const QueryInstant = z.union([
  z.string().regex(/^\d{1,16}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

/** The body of every error response. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string().openapi({ example: "VALIDATION_FAILED" }),
    message: z.string(),
    status: z.number().int(),
    issues: z.array(z.object({
      path: z.array(z.union([z.string(), z.number()])),
      message: z.string(),
      code: z.string().optional(),
    })).optional(),
    details: z.record(z.string(), z.unknown()).optional().openapi({
      description: "facts a program may act on, e.g. `existingId` of a `DUPLICATE_JOB`",
    }),
  }),
}).openapi("Error");

/** `{ ok: true }`, the answer of actions with nothing else to say. */
export const Ok = z.object({ ok: z.literal(true) }).openapi("Ok");
