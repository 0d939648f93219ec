/**
 * Zod schemas of dependency graphs: a linked job, a job's prerequisites and dependents, the job
 * view with them (`GET /v1/jobs/{id}`), and a page of the graph around a job.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { MAX_DEPENDENTS_PAGE } from "../../store/_shared.ts";
import { MAX_GRAPH_NODES } from "../../graph/walk.ts";
import { JobId, LaneName, StateName } from "./common.ts";
import { Job } from "./job.ts";

/** A job as its neighbours show it. */
export const JobLink = z.object({
  id: JobId,
  name: z.string().openapi({ description: 'function name ("" when missing)' }),
  queue: z.string(),
  state: z.union([StateName, z.literal("missing")]).openapi({
    description: "`missing` when retention deleted the job",
  }),
  priority: LaneName.nullable().openapi({ description: "the lane it is served from" }),
  requestedPriority: LaneName.nullable().openapi({
    description: "the lane it was enqueued in, when priority inheritance raised it",
  }),
}).openapi("JobLink");

/** A job's prerequisites and a page of its dependents. */
export const JobDependencies = z.object({
  prerequisites: z.array(JobLink).openapi({ description: "all of them, in the order given" }),
  dependents: z.array(JobLink).openapi({ description: "a page, in enqueue order" }),
  dependentCount: z.number().int().openapi({ description: "dependents in all" }),
  nextCursor: z.string().nullable().openapi({
    description: "cursor of the next page of dependents (`GET /v1/jobs/{id}/dependencies`)",
  }),
}).openapi("JobDependencies");

/** One job with its prerequisites and first page of dependents. */
export const JobDetail = Job.extend({ dependencies: JobDependencies }).openapi("JobDetail");

/** A page of the dependency graph connected to a job. */
export const JobGraph = z.object({
  root: JobId,
  nodes: z.array(JobLink).openapi({ description: "breadth first from the root" }),
  edges: z.array(z.object({
    from: JobId.openapi({ description: "the prerequisite" }),
    to: JobId.openapi({ description: "the dependent" }),
  })).openapi({ description: "every edge whose dependent is a node of this page, once" }),
  nextCursor: z.string().nullable(),
}).openapi("JobGraph");

/** `limit` and `cursor` of a page of dependents. */
export const DependentsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_DEPENDENTS_PAGE).optional().openapi({
    example: 50,
  }),
  cursor: z.string().max(32).optional(),
});

/** `limit` and `cursor` of a page of a graph. */
export const GraphQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_GRAPH_NODES).optional().openapi({
    example: 200,
    description: "nodes of this page (default 200)",
  }),
  cursor: z.string().max(32).optional(),
});
