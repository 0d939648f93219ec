/**
 * `sluice inspect <id> --graph`: a page of a job's dependency graph as text, one line per job
 * (breadth first from it) with its state, lane and the prerequisites it waits for.
 *
 * @module
 */
import type { JobLink } from "../graph/job_link.ts";
import type { JobGraph } from "../graph/walk.ts";
import { table } from "./table.ts";

/** The lane of `job`, and the one it asked for when a dependent raised it. */
export function laneText(job: JobLink): string {
  if (job.priority === null) return "";
  return job.requestedPriority ? `${job.priority} (asked ${job.requestedPriority})` : job.priority;
}

/**
 * The lines of `graph`: a table of its jobs, each with the prerequisites it waits for (the edges
 * of the page), and how to ask for the next page when there is one.
 */
export function graphLines(graph: JobGraph): string[] {
  const after = new Map<string, string[]>();
  for (const { from, to } of graph.edges) {
    const list = after.get(to) ?? [];
    list.push(from);
    after.set(to, list);
  }
  const row = (n: JobLink): string[] => {
    return [n.id, n.name, n.state, laneText(n), after.get(n.id)?.join(" ") ?? ""];
  };
  const lines = graph.nodes.length === 0
    ? ["no more jobs in this graph"]
    : table([["job", "function", "state", "lane", "after"], ...graph.nodes.map(row)]);
  if (graph.nextCursor !== null) {
    lines.push(`more: sluice inspect ${graph.root} --graph --cursor ${graph.nextCursor}`);
  }
  return lines;
}
