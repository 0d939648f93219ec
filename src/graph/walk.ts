/**
 * `engine.graph(id)`: the connected dependency graph of a job (its prerequisites and theirs, its
 * dependents and theirs, in both directions), walked breadth first from it. Each level of the walk
 * is read at once: one `getJobs` call (per 1,000 jobs) and the `dependents` calls of its jobs
 * issued together. A job's neighbours come in a fixed order (prerequisites as given, then
 * dependents in enqueue order), so the walk is the same on every call while the graph is.
 *
 * A page is the walk's nodes from its cursor's offset: every page walks again from the job,
 * reading (not sending) the nodes before its offset, so later pages cost more than the first.
 * Each edge comes once, on the page of its dependent.
 *
 * @module
 */
import { JobNotFoundError } from "../job/errors.ts";
import type { JobRecord } from "../job/job.ts";
import { MAX_DEPENDENTS_PAGE } from "../store/_shared.ts";
import type { Store } from "../store/store.ts";
import { type JobLink, readJobs, toJobLink } from "./job_link.ts";
import { nextCursor, offsetPage, type PageRequest } from "./page.ts";

/** Nodes of a graph page by default. */
export const DEFAULT_GRAPH_NODES = 200;

/** Most nodes of one graph page. */
export const MAX_GRAPH_NODES = 2_000;

/** A dependency: `to` waits for `from`. */
export interface GraphEdge {
  /** The prerequisite. */
  from: string;
  /** The dependent. */
  to: string;
}

/** A page of the dependency graph around one job. */
export interface JobGraph {
  /** The job the walk started from. */
  root: string;
  /** Jobs in breadth-first order from the root (the root first, on the first page). */
  nodes: JobLink[];
  /** The dependencies of this page's nodes: every edge whose dependent is one of them. */
  edges: GraphEdge[];
  /** Cursor of the next page, or null when the graph ends here. */
  nextCursor: string | null;
}

/**
 * A page (default 200 nodes, at most 2,000) of the graph connected to job `root`. Throws
 * `JobNotFoundError` for an unknown job, a `RangeError` for a bad page.
 */
export async function walkGraph(
  store: Store,
  root: string,
  page: PageRequest = {},
): Promise<JobGraph> {
  const { offset, limit } = offsetPage(page, "graph", {
    default: DEFAULT_GRAPH_NODES,
    max: MAX_GRAPH_NODES,
  });
  const walk = new Walk(store, offset + limit + 1); // one node more says whether a page follows
  await walk.from(root);
  const ids = walk.order.slice(offset, offset + limit);
  const edges: GraphEdge[] = [];
  for (const id of ids) {
    for (const from of walk.records.get(id)?.prerequisites ?? []) edges.push({ from, to: id });
  }
  return {
    root,
    nodes: ids.map((id) => toJobLink(id, walk.records.get(id)!)),
    edges,
    nextCursor: nextCursor(offset, limit, walk.order.length > offset + limit),
  };
}

/** One breadth-first walk, stopped once it has found `want` jobs. */
class Walk {
  /** Job ids in the order the walk found them. */
  readonly order: string[] = [];
  /** The records read (null for a job that no longer exists). */
  readonly records: Map<string, JobRecord | null> = new Map();
  #seen = new Set<string>();
  #store: Store;
  #want: number;

  constructor(store: Store, want: number) {
    this.#store = store;
    this.#want = want;
  }

  async from(root: string): Promise<void> {
    this.#add(root);
    let level = [root];
    while (level.length > 0) {
      const records = await readJobs(this.#store, level);
      level.forEach((id, i) => this.records.set(id, records[i]!));
      if (this.records.get(root) === null) throw new JobNotFoundError(root);
      if (this.#full()) return;
      level = await this.#nextLevel(level);
    }
  }

  #full(): boolean {
    return this.order.length >= this.#want;
  }

  #add(id: string): void {
    if (this.#full() || this.#seen.has(id)) return;
    this.#seen.add(id);
    this.order.push(id);
  }

  /**
   * The new neighbours of `level`. Its jobs' dependents are read in groups whose neighbours
   * could fill the walk, each read no longer than the room left: a job with 100,000 dependents
   * costs a page, not all of them.
   */
  async #nextLevel(level: readonly string[]): Promise<string[]> {
    const start = this.order.length;
    let i = 0;
    while (i < level.length && !this.#full()) {
      const room = this.#want - this.order.length;
      const group: JobRecord[] = [];
      for (let reach = 0; i < level.length && reach < room; i++) {
        const record = this.records.get(level[i]!);
        if (!record) continue;
        group.push(record);
        reach += record.prerequisites.length + record.dependents;
      }
      const pages = await Promise.all(
        group.map((r) =>
          r.dependents === 0 ? [] : this.#store.dependents(r.id, {
            limit: Math.min(r.dependents, MAX_DEPENDENTS_PAGE, room),
          })
        ),
      );
      for (const [k, record] of group.entries()) {
        for (const id of record.prerequisites) this.#add(id);
        for (const id of pages[k]!) this.#add(id);
        await this.#moreDependents(record, pages[k]!.length);
      }
    }
    return this.order.slice(start);
  }

  /** The dependents of `record` from `offset` on, while the walk has room. */
  async #moreDependents(record: JobRecord, offset: number): Promise<void> {
    while (!this.#full() && offset < record.dependents) {
      const room = this.#want - this.order.length;
      const ids = await this.#store.dependents(record.id, {
        offset,
        limit: Math.min(MAX_DEPENDENTS_PAGE, room),
      });
      if (ids.length === 0) return;
      for (const id of ids) this.#add(id);
      offset += ids.length;
    }
  }
}
