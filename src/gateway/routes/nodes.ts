/**
 * `/v1/nodes`: the worker nodes of the cluster with their utilization and current jobs, and the
 * leader.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Engine } from "../../engine.ts";
import type { JobInfo } from "../../job/job_info.ts";
import { errorResponses, jsonResponse, type RouteContext, security } from "../route.ts";
import { LaneName } from "../schemas/common.ts";

/** Active jobs listed per queue to find the nodes' current jobs. */
const ACTIVE_PER_QUEUE = 1000;

const CurrentJob = z.object({
  id: z.string(),
  name: z.string(),
  queue: z.string(),
  priority: LaneName,
  attempt: z.number().int(),
  startedAt: z.number().nullable(),
});

const Node = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  queues: z.array(z.string()),
  concurrency: z.number().int(),
  version: z.string(),
  startedAt: z.number(),
  heartbeatAt: z.number(),
  expiresAt: z.number(),
  busy: z.number().int(),
  prefetched: z.number().int(),
  utilization: z.number().openapi({
    description: "busy slots over total, at the latest heartbeat",
  }),
  alive: z.boolean().openapi({ description: "false once its record expired (not yet reaped)" }),
  leader: z.boolean(),
  currentJobs: z.array(CurrentJob),
}).openapi("Node");

const Leader = z.object({ node: z.string(), epoch: z.number().int(), expiresAt: z.number() })
  .openapi("Leader");

const list = createRoute({
  method: "get",
  path: "/v1/nodes",
  tags: ["nodes"],
  summary: "Worker nodes with utilization and current jobs, and the leader",
  security: security("get"),
  responses: {
    200: jsonResponse("nodes by id", z.object({ leader: Leader.nullable(), nodes: z.array(Node) })),
    ...errorResponses(),
  },
});

async function activeJobs(engine: Engine): Promise<JobInfo[]> {
  const queues = await engine.queues();
  const pages = await Promise.all(
    queues.map((queue) => engine.listJobs({ queue, state: "active", limit: ACTIVE_PER_QUEUE })),
  );
  return pages.flatMap((p) => p.jobs);
}

/** Adds the node routes. */
export function nodeRoutes({ app, engine }: RouteContext): void {
  app.openapi(list, async (c) => {
    const [records, leader, active] = await Promise.all([
      engine.nodes(),
      engine.leader(),
      activeJobs(engine),
    ]);
    const now = Date.now();
    const nodes = records.sort((a, b) => a.id.localeCompare(b.id)).map((node) => ({
      ...node,
      utilization: node.concurrency > 0 ? node.busy / node.concurrency : 0,
      alive: node.expiresAt > now,
      leader: leader?.node === node.id,
      currentJobs: active.filter((j) => j.worker === node.id).map((j) => ({
        id: j.id,
        name: j.name,
        queue: j.queue,
        priority: j.priority,
        attempt: j.attempts,
        startedAt: j.startedAt,
      })),
    }));
    return c.json({ leader, nodes }, 200);
  });
}
