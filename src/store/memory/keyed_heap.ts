/**
 * A min-heap of ids ordered by (score, id), with O(log n) insert, O(1) delete (lazy) and
 * re-scoring. The memory store keeps its time-ordered indexes in these (delayed, blocked and
 * parked jobs, leases, retention, limits opening, schedules).
 *
 * Most of their ids come in order: a retention index gets its jobs as they finish, the lease index
 * its deadlines as leases are made, each no earlier than the one before. Such an id goes to a
 * queue instead of the heap (an O(1) append and pop, where the heap's sift compares ids of equal
 * scores at every level); the smallest entry is the smaller of the queue's head and the heap's.
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
  /** Entries set in (score, id) order, from `#runStart` on (stale ones skipped at the head). */
  #run: Entry[] = [];
  #runStart = 0;
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
    const entry = { id, score };
    const run = this.#run;
    if (run.length === this.#runStart || !before(entry, run[run.length - 1]!)) {
      run.push(entry);
    } else {
      this.#push(entry);
    }
    const entries = this.#heap.length + run.length - this.#runStart;
    if (entries > 2 * this.#live.size + 64) this.#rebuild();
  }

  /** Removes `id`; returns whether it was present. */
  delete(id: string): boolean {
    return this.#live.delete(id);
  }

  /** The entry with the smallest (score, id), without removing it. */
  peek(): { id: string; score: number } | undefined {
    this.#dropStale();
    const top = this.#heap[0];
    const head = this.#run[this.#runStart];
    if (head === undefined) return top;
    return top === undefined || before(head, top) ? head : top;
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

  /** Drops stale entries (deleted or re-scored ids) off the top of the heap and the run. */
  #dropStale(): void {
    while (this.#heap.length > 0) {
      const top = this.#heap[0]!;
      if (this.#live.get(top.id) === top.score) break;
      this.#removeTop();
    }
    const run = this.#run;
    let start = this.#runStart;
    while (start < run.length && this.#live.get(run[start]!.id) !== run[start]!.score) start++;
    if (start === run.length) {
      this.#run = [];
      this.#runStart = 0;
    } else if (start >= 1024 && start * 2 >= run.length) {
      this.#run = run.slice(start); // the popped part is most of the array: drop it
      this.#runStart = 0;
    } else {
      this.#runStart = start;
    }
  }

  /**
   * Drops the stale entries, keeping the run in order and restoring the heap order (in place, in
   * linear time).
   */
  #rebuild(): void {
    const live = this.#live;
    const run = this.#run;
    let inRun = 0;
    for (let i = this.#runStart; i < run.length; i++) {
      const entry = run[i]!;
      if (live.get(entry.id) === entry.score) run[inRun++] = entry;
    }
    run.length = inRun;
    this.#runStart = 0;
    const heap = this.#heap;
    let kept = 0;
    for (const entry of heap) if (live.get(entry.id) === entry.score) heap[kept++] = entry;
    heap.length = kept;
    // an id set twice with one score has two entries: keep one
    if (inRun + kept > live.size) {
      const seen = new Set<string>();
      for (const [entries, count] of [[run, inRun], [heap, kept]] as const) {
        let unique = 0;
        for (let i = 0; i < count; i++) {
          const entry = entries[i]!;
          if (!seen.has(entry.id) && seen.add(entry.id)) entries[unique++] = entry;
        }
        entries.length = unique;
      }
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
