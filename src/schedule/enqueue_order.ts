/**
 * One enqueue call made ready for the store: its jobs ordered so that prerequisites of the call
 * come first, with every `dependsOn` resolved to job ids (see `dag.ts`).
 *
 * @module
 */
import type { NewJob } from "../store/store.ts";
import { GraphError, orderGraph } from "./dag.ts";
import { BulkItemError } from "../job/errors.ts";

/** A job as the engine prepared it: `dependsOn` as given (refs or ids), and its own `ref`. */
export interface PreparedJob extends NewJob {
  /** Prerequisites as given: refs of items of the call, or job ids. */
  dependsOn: readonly string[];
  /** Its name within the call. */
  ref?: string;
}

/** The jobs in store order, and for each the index of its item in the caller's call. */
export interface OrderedCall {
  /** Jobs, prerequisites of the call first, `dependsOn` as job ids. */
  jobs: NewJob[];
  /** `order[k]`: the item index of `jobs[k]`. */
  order: number[];
}

/** Orders `items`; a graph problem throws a `BulkItemError` naming the item (or the cycle). */
export function orderItems(items: readonly PreparedJob[]): OrderedCall {
  let graph;
  try {
    graph = orderGraph(items);
  } catch (error) {
    if (error instanceof GraphError) {
      if (items.length === 1) throw error;
      throw new BulkItemError(error.index, error);
    }
    throw error;
  }
  const jobs = graph.order.map((i) => storedJob(items[i]!, graph.prerequisites[i]!));
  return { jobs, order: graph.order };
}

/**
 * `item` as the store gets it: without its ref, `dependsOn` as job ids. An item with neither (the
 * common case) already is that job, so it is not copied.
 */
function storedJob(item: PreparedJob, prerequisites: string[]): NewJob {
  if (!("ref" in item) && item.dependsOn.length === 0 && prerequisites.length === 0) return item;
  const { ref: _ref, ...job } = item;
  return { ...job, dependsOn: prerequisites };
}
