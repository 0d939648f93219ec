/**
 * A min-heap of ids ordered by (score, id), with O(log n) insert, O(1) delete (lazy) and
 * re-scoring. The memory store keeps lanes, delayed jobs and leases in these.
 *
 * @module
 */

interface Entry {
  id: string;
  score: number;
}

function before(a: Entry, b: Entry): boolean {
  return a.score < b.score || (a.score === b.score && a.id < b.id);
}

function swap(heap: Entry[], a: number, b: number): void {
  const entry = heap[a]!;
  heap[a] = heap[b]!;
  heap[b] = entry;
}

/** A min-heap keyed by id; each id is present at most once with one score. */
export class KeyedHeap {
  #heap: Entry[] = [];
  #live = new Map<string, number>();

  /** Number of ids present. */
  get size(): number {
    return this.#live.size;
  }

  /** True when `id` is present. */
  has(id: string): boolean {
    return this.#live.has(id);
  }

  /** The score of `id`, or undefined. */
  score(id: string): number | undefined {
    return this.#live.get(id);
  }

  /** Inserts `id` with `score`, or moves it to `score` when present. */
  set(id: string, score: number): void {
    this.#live.set(id, score);
    this.#push({ id, score });
    if (this.#heap.length > 2 * this.#live.size + 64) this.#rebuild();
  }

  /** Removes `id`; returns whether it was present. */
  delete(id: string): boolean {
    return this.#live.delete(id);
  }

  /** The entry with the smallest (score, id), without removing it. */
  peek(): { id: string; score: number } | undefined {
    this.#dropStale();
    return this.#heap[0];
  }

  /** Removes and returns the entry with the smallest (score, id). */
  pop(): { id: string; score: number } | undefined {
    const top = this.peek();
    if (top) {
      this.#live.delete(top.id);
      this.#dropStale();
    }
    return top;
  }

  /** Every present entry in ascending order (O(n log n): for listings, not hot paths). */
  sorted(): { id: string; score: number }[] {
    return [...this.#live].map(([id, score]) => ({ id, score })).sort((a, b) =>
      before(a, b) ? -1 : before(b, a) ? 1 : 0
    );
  }

  #dropStale(): void {
    while (this.#heap.length > 0) {
      const top = this.#heap[0]!;
      if (this.#live.get(top.id) === top.score) return;
      this.#removeTop();
    }
  }

  /** Drops the stale entries and restores the heap order (in place, in linear time). */
  #rebuild(): void {
    const heap = this.#heap;
    const live = this.#live;
    let kept = 0;
    for (const entry of heap) if (live.get(entry.id) === entry.score) heap[kept++] = entry;
    heap.length = kept;
    // an id moved to a new score has two entries with that score: keep the first
    if (kept > live.size) {
      const seen = new Set<string>();
      let unique = 0;
      for (const entry of heap) {
        if (!seen.has(entry.id) && seen.add(entry.id)) heap[unique++] = entry;
      }
      heap.length = unique;
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  #removeTop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    this.#siftDown(0);
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      swap(heap, i, m);
      i = m;
    }
  }
}
