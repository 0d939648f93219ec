/**
 * Schemas of the queue routes: a queue's depth, its lane configuration with its rate limit, and
 * the limits of the functions whose jobs it serves.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { LANES } from "../../job/lanes.ts";
import { MAX_LIMIT, MAX_RATE_WINDOW_MS } from "../../job/limits.ts";
import { MAX_LANE_WEIGHT } from "../../schedule/lane_config.ts";
import { LaneName, StateName } from "./common.ts";

const PerState = z.record(StateName, z.number().int());

/** A queue's depth: jobs per state, per lane and state, and those a limit set aside. */
export const Queue = z.object({
  queue: z.string(),
  paused: z.boolean(),
  states: PerState,
  lanes: z.record(LaneName, PerState),
  throttled: z.number().int().openapi({
    description: "waiting jobs set aside until a rate or concurrency limit lets them start",
  }),
}).openapi("Queue");

/** A rate limit: at most `max` starts in any `duration` ms, across every node. */
export const RateLimit = z.strictObject({
  max: z.number().int().min(1).max(MAX_LIMIT),
  duration: z.number().int().min(1).max(MAX_RATE_WINDOW_MS).openapi({ description: "ms" }),
}).openapi("RateLimit", { example: { max: 100, duration: 1_000 } });

const Weights = z.strictObject(
  Object.fromEntries(LANES.map((lane) => [lane, z.number().int().min(1).max(MAX_LANE_WEIGHT)])),
);

/** A queue's lane configuration with its rate limit. */
export const QueueConfig = z.object({
  weights: z.record(LaneName, z.number().int()),
  strict: z.boolean(),
  agingMs: z.number().int().nullable(),
  rateLimit: RateLimit.nullable(),
}).openapi("QueueConfig");

/** A change of a queue's configuration: fields left out keep their value. */
export const QueueConfigPatch = z.strictObject({
  weights: Weights.partial().optional().openapi({ description: "weights of some lanes" }),
  strict: z.boolean().optional().openapi({ description: "strict priority instead of weights" }),
  agingMs: z.number().int().min(0).nullable().optional().openapi({
    description: "a job waiting this long is served next whatever its lane; null: off",
  }),
  rateLimit: RateLimit.nullable().optional().openapi({
    description: "the queue's rate limit across every node; null removes it",
  }),
}).openapi("QueueConfigPatch");

/** A function's limits as every node enforces them. */
export const FunctionLimits = z.object({
  rate: RateLimit.nullable(),
  concurrency: z.number().int().nullable(),
  perKey: z.boolean().openapi({ description: "counted per key of the payload (e.g. a tenant)" }),
}).openapi("FunctionLimits");

/** A queue with its configuration and the limits of the functions it serves. */
export const QueueDetail = Queue.extend({
  config: QueueConfig,
  limits: z.record(z.string(), FunctionLimits).openapi({
    description: "limits of the functions whose jobs go to this queue, by function name",
  }),
}).openapi("QueueDetail");
