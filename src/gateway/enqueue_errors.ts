/**
 * Enqueue refusals as API errors: a graph that cannot be ordered (a cycle, a ref used twice) is a
 * 400 `INVALID_GRAPH` with the cycle in `details.cycle`; a prerequisite that is neither a ref of
 * the call nor an existing job a 422 `UNKNOWN_PREREQUISITE`; a unique key held by another job a
 * 409 `DUPLICATE_JOB` with the holder in `details.existingId`. In a bulk, `issues` name the item
 * as `["jobs", index]`, as for every other bad item.
 *
 * @module
 */
import { DuplicateJobError, UnknownPrerequisiteError } from "../job/enqueue_errors.ts";
import { BulkItemError } from "../job/errors.ts";
import { GraphError } from "../schedule/dag.ts";
import { ApiError, type FieldIssue, refusalDetails } from "./errors.ts";

/** The API error of an enqueue refused for its graph or a unique key; else `error` itself. */
export function enqueueFailure(error: unknown, bulk: boolean): unknown {
  const item = (index: number, message: string): FieldIssue[] | undefined =>
    bulk ? [{ path: ["jobs", index], message }] : undefined;
  // a bulk of one item refuses its graph as a single enqueue does
  const wrapped = bulk && error instanceof GraphError
    ? new BulkItemError(error.index, error)
    : error;
  const graph = wrapped instanceof BulkItemError ? wrapped.cause : wrapped;
  if (graph instanceof GraphError) {
    return new ApiError(
      400,
      "INVALID_GRAPH",
      (wrapped as Error).message,
      item(graph.index, graph.message),
      graph.cycle ? { cycle: graph.cycle } : undefined,
    );
  }
  if (error instanceof UnknownPrerequisiteError || error instanceof DuplicateJobError) {
    const status = error instanceof DuplicateJobError ? 409 : 422;
    const issues = item(error.index, error.message);
    return new ApiError(status, error.code, error.message, issues, refusalDetails(error));
  }
  return error;
}
