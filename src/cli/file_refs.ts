/**
 * Refs across the batches of `sluice enqueue --file`: a line's `ref` names it for the
 * `options.dependsOn` of other lines. A batch goes to the engine with its refs as they are (it
 * resolves refs within one atomic call); a ref of a batch already stored is replaced by the id
 * that batch gave it. So a line may depend on any line before it and on any line of its own
 * batch, and a whole graph is atomic when it fits one batch (`--batch`).
 *
 * @module
 */
import { UsageError } from "./flags.ts";
import type { BulkJobRequest } from "./target.ts";

/** The refs of one file. */
export class FileRefs {
  /** Line number of every ref seen. */
  #lines = new Map<string, number>();
  /** Job id of every ref of a stored batch. */
  #stored = new Map<string, string>();

  /**
   * `item`, read at line `line` (`where` for messages), with refs of stored batches in its
   * `dependsOn` replaced by their ids. A ref named by two lines is a `UsageError`.
   */
  take(item: BulkJobRequest, where: string, line: number): BulkJobRequest {
    if (item.ref !== undefined) {
      const first = this.#lines.get(item.ref);
      if (first !== undefined) {
        throw new UsageError(
          `${where}: ref ${JSON.stringify(item.ref)} is taken by line ${first}`,
        );
      }
      this.#lines.set(item.ref, line);
    }
    const dependsOn = item.options?.dependsOn;
    if (!dependsOn?.some((dep) => this.#stored.has(dep))) return item;
    return {
      ...item,
      options: { ...item.options, dependsOn: dependsOn.map((dep) => this.#stored.get(dep) ?? dep) },
    };
  }

  /** Records the ids a stored batch got: `items[i]` got `ids[i]`. */
  stored(items: readonly BulkJobRequest[], ids: readonly string[]): void {
    items.forEach((item, i) => {
      if (item.ref !== undefined) this.#stored.set(item.ref, ids[i]!);
    });
  }
}
