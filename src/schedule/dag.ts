/**
 * Dependency graphs of one enqueue call: every item's `dependsOn` resolved to job ids (refs of
 * items of the call, or ids of existing jobs), the items ordered so every prerequisite of the
 * call comes before its dependents (Kahn's algorithm, O(V + E)), and cycles refused with an error
 * that names them. Whether an id that is not a ref names an existing job is for the store to
 * say, atomically with the enqueue.
 *
 * @module
 */

import { MAX_JOBS_PER_CALL, MAX_PREREQUISITES } from "../job/dependencies.ts";

/** One item of a call as the graph sees it. */
export interface GraphItem {
  /** The job id it will get. */
  id: string;
  /** Its name within the call, if any. */
  ref?: string;
  /** Refs of items of the call, or ids of existing jobs. */
  dependsOn: readonly string[];
}

/** The call, checked and ordered. */
export interface OrderedGraph {
  /** Item indexes in an order where prerequisites of the call come first. */
  order: number[];
  /** Per item index, its prerequisites as job ids. */
  prerequisites: string[][];
}

/** A graph refused: a cycle (named), or a bad reference. */
export class GraphError extends TypeError {
  /** The item the problem was found at. */
  readonly index: number;
  /** The cycle, when the problem is one: refs or ids, the first repeated at the end. */
  readonly cycle: string[] | null;

  /** `message` about item `index`; `cycle` when it is one. */
  constructor(index: number, message: string, cycle: string[] | null = null) {
    super(message);
    this.name = "GraphError";
    this.index = index;
    this.cycle = cycle;
  }
}

/**
 * Resolves refs, checks the limits and self-references, and orders `items` topologically.
 * Throws a `GraphError` naming a cycle as `a -> b -> a`, read "a depends on b, which depends on
 * a" (refs where items have them, else ids).
 */
export function orderGraph(items: readonly GraphItem[]): OrderedGraph {
  if (items.length > MAX_JOBS_PER_CALL) {
    throw new GraphError(MAX_JOBS_PER_CALL, `a call may hold at most ${MAX_JOBS_PER_CALL} jobs`);
  }
  if (isFlat(items)) return flatOrder(items.length);
  const byRef = new Map<string, number>();
  const byId = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.ref !== undefined) {
      if (byRef.has(item.ref)) {
        throw new GraphError(i, `ref ${JSON.stringify(item.ref)} is used twice`);
      }
      byRef.set(item.ref, i);
    }
    byId.set(item.id, i);
  });
  const label = (i: number): string => items[i]!.ref ?? items[i]!.id;
  const prerequisites: string[][] = [];
  const edges: number[][] = items.map(() => []); // prerequisite index -> dependent indexes
  const inDegree = items.map(() => 0);
  items.forEach((item, i) => {
    if (item.dependsOn.length > MAX_PREREQUISITES) {
      throw new GraphError(i, `a job may have at most ${MAX_PREREQUISITES} prerequisites`);
    }
    const seen = new Set<number | string>();
    const ids: string[] = [];
    for (const dep of item.dependsOn) {
      const at = byRef.get(dep) ?? byId.get(dep);
      if (at === i) {
        throw new GraphError(i, `cycle: ${label(i)} -> ${label(i)}`, [label(i), label(i)]);
      }
      if (seen.has(at ?? dep)) continue;
      seen.add(at ?? dep);
      if (at === undefined) {
        ids.push(dep);
      } else {
        ids.push(items[at]!.id);
        edges[at]!.push(i);
        inDegree[i]!++;
      }
    }
    prerequisites.push(ids);
  });
  const order: number[] = [];
  const ready = inDegree.flatMap((d, i) => d === 0 ? [i] : []);
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(i);
    for (const next of edges[i]!) if (--inDegree[next]! === 0) ready.push(next);
  }
  if (order.length < items.length) throw cycleError(edges, inDegree, label);
  return { order, prerequisites };
}

/**
 * True when no item names a ref or a prerequisite: then nothing can be used twice, be too many or
 * form a cycle, and the call's order is its own.
 */
function isFlat(items: readonly GraphItem[]): boolean {
  for (const item of items) {
    if (item.ref !== undefined || item.dependsOn.length > 0) return false;
  }
  return true;
}

/** The graph of `count` items without refs or prerequisites: in call order, none prerequisite. */
function flatOrder(count: number): OrderedGraph {
  const order: number[] = new Array(count);
  const prerequisites: string[][] = new Array(count);
  for (let i = 0; i < count; i++) {
    order[i] = i;
    prerequisites[i] = [];
  }
  return { order, prerequisites };
}

/** The error naming one cycle among the items Kahn's algorithm could not order. */
function cycleError(
  edges: number[][],
  inDegree: number[],
  label: (i: number) => string,
): GraphError {
  // Every unordered item has an unordered prerequisite: walk backwards until a repeat.
  const stuck = new Set(inDegree.flatMap((d, i) => d > 0 ? [i] : []));
  const prerequisiteOf = new Map<number, number>();
  edges.forEach((dependents, from) => {
    if (!stuck.has(from)) return;
    for (const to of dependents) {
      if (stuck.has(to) && !prerequisiteOf.has(to)) prerequisiteOf.set(to, from);
    }
  });
  const start = Math.min(...stuck);
  const path: number[] = [];
  const at = new Map<number, number>();
  let node = start;
  while (!at.has(node)) {
    at.set(node, path.length);
    path.push(node);
    node = prerequisiteOf.get(node)!;
  }
  const cycle = path.slice(at.get(node)!);
  const names = [...cycle, cycle[0]!].map(label);
  return new GraphError(cycle[0]!, `cycle: ${names.join(" -> ")}`, names);
}
