/**
 * The memory store's index of prefetched jobs (leased, not started): per node and queue, in
 * prefetch order, with a total per node. It answers `steal`'s two questions: which node holds
 * the most prefetched jobs of some queues, and which of its jobs were prefetched first. The
 * Redis store keeps the same index in `pf:<queue>:<node>` zsets (see `lua/steal.lua`).
 *
 * @module
 */
import { KeyedHeap } from "./keyed_heap.ts";

/** A prefetched job: its id and queue. */
export interface PrefetchedJob {
  /** Job id. */
  id: string;
  /** Its queue. */
  queue: string;
}

/** The node `steal` takes from, and how many prefetched jobs of the asked queues it holds. */
export interface StealVictim {
  /** Node id. */
  node: string;
  /** Its prefetched jobs in the asked queues. */
  count: number;
}

/** Prefetched jobs per node and queue, in prefetch order. */
export class PrefetchIndex {
  #seq = 0;
  #byNode = new Map<string, Map<string, KeyedHeap>>();
  #totals = new Map<string, number>();

  /** Records job `id` of `queue` as prefetched by `node` (after all its earlier ones). */
  add(node: string, queue: string, id: string): void {
    let queues = this.#byNode.get(node);
    if (!queues) this.#byNode.set(node, queues = new Map());
    let heap = queues.get(queue);
    if (!heap) queues.set(queue, heap = new KeyedHeap());
    heap.set(id, ++this.#seq);
    this.#totals.set(node, (this.#totals.get(node) ?? 0) + 1);
  }

  /** Forgets a prefetched job (it was started, stolen, or left the active state). */
  remove(node: string, queue: string, id: string): void {
    const queues = this.#byNode.get(node);
    if (!queues?.get(queue)?.delete(id)) return;
    if (queues.get(queue)!.size === 0) queues.delete(queue);
    if (queues.size === 0) this.#byNode.delete(node);
    const total = this.#totals.get(node)! - 1;
    if (total > 0) this.#totals.set(node, total);
    else this.#totals.delete(node);
  }

  /** Prefetched jobs of `node`, all queues. */
  total(node: string): number {
    return this.#totals.get(node) ?? 0;
  }

  /** The nodes holding prefetched jobs (any queue). */
  holders(): string[] {
    return [...this.#totals.keys()];
  }

  /**
   * The node other than `thief` with the most prefetched jobs in `queues`; ties go to the one
   * with more prefetched jobs in all, then the lower id (as `steal.lua` picks). Null when none.
   */
  busiest(thief: string, queues: readonly string[]): StealVictim | null {
    let best: StealVictim | null = null;
    let bestTotal = 0;
    for (const [node, total] of this.#totals) {
      if (node === thief) continue;
      const count = this.#inQueues(node, queues);
      if (count === 0) continue;
      const better = best === null || count > best.count ||
        (count === best.count && (total > bestTotal || (total === bestTotal && node < best.node)));
      if (better) [best, bestTotal] = [{ node, count }, total];
    }
    return best;
  }

  /** Removes and returns up to `n` of `node`'s prefetched jobs in `queues`, earliest first. */
  take(node: string, queues: readonly string[], n: number): PrefetchedJob[] {
    const heaps = this.#byNode.get(node);
    const picks = queues.flatMap((queue) =>
      (heaps?.get(queue)?.sorted() ?? []).slice(0, n).map((e) => ({ ...e, queue }))
    ).sort((a, b) => a.score - b.score).slice(0, n);
    for (const pick of picks) this.remove(node, pick.queue, pick.id);
    return picks.map(({ id, queue }) => ({ id, queue }));
  }

  #inQueues(node: string, queues: readonly string[]): number {
    const heaps = this.#byNode.get(node);
    let count = 0;
    for (const queue of queues) count += heaps?.get(queue)?.size ?? 0;
    return count;
  }
}
