/**
 * `ctx.resultsOf`: the results of a job's completed prerequisites of one function. One
 * implementation for inline and isolate attempts.
 *
 * @module
 */
import type { PrerequisiteResult } from "../job/dependencies.ts";
import type { JobContext } from "./definition.ts";
import { definitionOf } from "./job_decorator.ts";

/** `resultsOf` over `prerequisites`. */
export function resultsOf(prerequisites: readonly PrerequisiteResult[]): JobContext["resultsOf"] {
  return ((fn: unknown) => {
    const name = definitionOf(fn as never)?.name;
    if (name === undefined) {
      throw new TypeError("ctx.resultsOf: name a function by definition or @job class");
    }
    return prerequisites
      .filter((p) => p.name === name && p.state === "completed")
      .map((p) => p.result);
  }) as JobContext["resultsOf"];
}
