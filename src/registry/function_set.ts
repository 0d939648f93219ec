/**
 * Collects the job functions that function files export, one file at a time, and refuses two
 * functions with one name, naming both files.
 *
 * @module
 */
import type { JobDefinition } from "./definition.ts";
import { definitionOf } from "./job_decorator.ts";

/** The functions found so far, with the file each came from. */
export class FunctionSet {
  #byName = new Map<string, { definition: JobDefinition; file: string }>();

  /**
   * Adds every definition and `@job` class that `exports` holds (one module's exports) and returns
   * how many it found (the same function exported twice counts once). Throws a `TypeError` when
   * a name is taken already by a function of another file or export.
   */
  add(file: string, exports: Readonly<Record<string, unknown>>): number {
    const found = new Set<JobDefinition>();
    for (const value of Object.values(exports)) {
      const definition = definitionOf(value);
      if (!definition || found.has(definition)) continue;
      found.add(definition);
      const existing = this.#byName.get(definition.name);
      if (existing && existing.definition !== definition) {
        throw new TypeError(
          `functions: two functions are named ${JSON.stringify(definition.name)}: ` +
            `${existing.file} and ${file}; rename one of them`,
        );
      }
      this.#byName.set(definition.name, { definition, file });
    }
    return found.size;
  }

  /** Every function found, by name order. */
  definitions(): JobDefinition[] {
    return [...this.#byName.values()]
      .map((entry) => entry.definition)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
