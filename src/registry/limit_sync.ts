/**
 * Keeps the store's function limits in step with the registered definitions: before the first
 * job of a function is stored (and when a worker starts), the limits of every definition not yet
 * sent, or changed since, go to the store in one call, so every node enforces the same limits.
 *
 * @module
 */
import type { FunctionLimits } from "../job/limits.ts";
import type { Store } from "../store/store.ts";
import type { JobDefinition } from "./definition.ts";

/** Sends definitions' limits to a store, once per change. */
export class LimitSync {
  #store: Store;
  #sent = new Map<string, string>();

  /** Syncs into `store`. */
  constructor(store: Store) {
    this.#store = store;
  }

  /** Sends the limits of `definitions` that the store was not told yet (none: nothing sent). */
  async ensure(definitions: Iterable<JobDefinition>): Promise<void> {
    const changed: Record<string, FunctionLimits | null> = {};
    const texts = new Map<string, string>();
    for (const d of definitions) {
      const stored = d.limits?.stored ?? null;
      const text = JSON.stringify(stored);
      if (this.#sent.get(d.name) === text) continue;
      changed[d.name] = stored;
      texts.set(d.name, text);
    }
    if (texts.size === 0) return;
    await this.#store.configureFunctions(changed);
    for (const [name, text] of texts) this.#sent.set(name, text);
  }
}
