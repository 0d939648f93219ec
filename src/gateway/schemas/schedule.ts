/**
 * Zod schemas of cron schedules: the schedule view (as `engine.schedules.get` gives it) and the
 * request that defines one. The pattern and zone are checked here, so a bad one is a 400 naming
 * the field.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { CATCH_UP_POLICIES } from "../../schedule/catch_up.ts";
import { CronPattern, DEFAULT_TIME_ZONE } from "../../schedule/cron.ts";
import { LaneName } from "./common.ts";
import { EnqueueOptions } from "./job.ts";

/** A schedule name. */
export const ScheduleName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$/, {
  message: "use 1-128 letters, digits, '_.:-', starting with a letter or digit",
}).openapi({ example: "nightly-report" });

/** Path parameters `{ name }` of a schedule. */
export const ScheduleParams = z.object({
  name: ScheduleName.openapi({ param: { name: "name", in: "path" } }),
});

/** A schedule; times are epoch ms. */
export const Schedule = z.object({
  name: z.string(),
  job: z.string().openapi({ description: "function name" }),
  pattern: z.string(),
  tz: z.string().openapi({ example: "America/New_York" }),
  catchUp: z.enum(CATCH_UP_POLICIES),
  paused: z.boolean(),
  next: z.array(z.number()).openapi({ description: "the next 5 fire times (none while paused)" }),
  lastFiredAt: z.number().nullable(),
  queue: z.string(),
  priority: LaneName,
  payload: z.unknown(),
}).openapi("Schedule");

/** A schedule to define (see `ScheduleSpec`). */
export const ScheduleRequest = z.object({
  job: z.string().min(1).openapi({ example: "send-report", description: "function name" }),
  pattern: z.string().min(1).max(256).openapi({
    example: "0 9 * * mon-fri",
    description: "5 fields, or 6 with seconds first, or an alias such as `@daily`",
  }),
  tz: z.string().min(1).max(64).optional().openapi({
    example: "Europe/Paris",
    description: "IANA time zone (default UTC)",
  }),
  payload: z.unknown().optional().openapi({ description: "checked against the function's schema" }),
  options: EnqueueOptions.pick({
    queue: true,
    priority: true,
    attempts: true,
    retry: true,
    unique: true,
  }).optional(),
  catchUp: z.enum(CATCH_UP_POLICIES).optional().openapi({
    description: 'after downtime: "skip" (default), "one" or "all"',
  }),
}).superRefine((body, ctx) => {
  try {
    CronPattern.parse(body.pattern, body.tz ?? DEFAULT_TIME_ZONE, "schedule");
  } catch (error) {
    const message = (error as Error).message.replace(/^schedule: /, "");
    ctx.addIssue({ code: "custom", path: [/time zone/.test(message) ? "tz" : "pattern"], message });
  }
}).openapi("ScheduleRequest");
