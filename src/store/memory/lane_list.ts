/**
 * A lane of the memory store: a FIFO of job ids with pushes at both ends and removal by id, in
 * the same order as the Redis store's lane list (`RPUSH` to the back, `LPUSH` to the front,
 * `LREM` by id). The back is an array with a moving start and holes for removed ids (O(1) push,
 * shift and delete, compacted as it drains: positions count from the first id ever pushed, so
 * compacting moves none of them); the front is a stack of the ids pushed there, most recent
 * first.
 *
 * @module
 */

/** One lane: job ids, front first. */
export class LaneList {
  #front: string[] = [];
  #items: (string | null)[] = [];
  #start = 0;
  /** Ids dropped from the start of `#items` by compaction: position - `#dropped` = index. */
  #dropped = 0;
  #positions = new Map<string, number>();

  /** Number of ids. */
  get size(): number {
    return this.#front.length + this.#positions.size;
  }

  /** Appends `id` at the back. */
  pushBack(id: string): void {
    this.#positions.set(id, this.#dropped + this.#items.length);
    this.#items.push(id);
  }

  /** Puts `id` at the front. */
  pushFront(id: string): void {
    this.#front.push(id);
  }

  /** The id at the front, or undefined. */
  head(): string | undefined {
    const front = this.#front;
    if (front.length > 0) return front[front.length - 1];
    this.#skipHoles();
    return this.#items[this.#start] ?? undefined;
  }

  /** Removes and returns the id at the front, or undefined. */
  shift(): string | undefined {
    if (this.#front.length > 0) return this.#front.pop();
    this.#skipHoles();
    const id = this.#items[this.#start];
    if (id === undefined || id === null) return undefined;
    this.#items[this.#start++] = null;
    this.#positions.delete(id);
    this.#compact();
    return id;
  }

  /** Removes `id`; returns whether it was there. */
  delete(id: string): boolean {
    const at = this.#positions.get(id);
    if (at !== undefined) {
      this.#items[at - this.#dropped] = null;
      this.#positions.delete(id);
      return true;
    }
    const i = this.#front.lastIndexOf(id);
    if (i < 0) return false;
    this.#front.splice(i, 1);
    return true;
  }

  /** Up to `limit` ids from position `offset` on, front first (for listings). */
  slice(offset: number, limit: number): string[] {
    const all = [...this.#front].reverse();
    for (let i = this.#start; i < this.#items.length; i++) {
      const id = this.#items[i];
      if (id !== null && id !== undefined) all.push(id);
    }
    return all.slice(offset, offset + limit);
  }

  #skipHoles(): void {
    while (this.#start < this.#items.length && this.#items[this.#start] === null) this.#start++;
  }

  /** Drops the drained part once it is most of the array. */
  #compact(): void {
    if (this.#start < 1024 || this.#start * 2 < this.#items.length) return;
    this.#items = this.#items.slice(this.#start);
    this.#dropped += this.#start;
    this.#start = 0;
  }
}
