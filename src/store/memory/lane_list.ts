/**
 * A lane of the memory store: a FIFO of waiting jobs with pushes at both ends and removal of any
 * one, in the same order as the Redis store's lane list (`RPUSH` to the back, `LPUSH` to the
 * front, `LREM` by id). The back is an array with a moving start and holes for removed entries
 * (O(1) push, shift and delete, compacted as it drains: positions count from the first entry ever
 * pushed, so compacting moves none of them); each entry carries its own position (`lanePos`), so
 * the lane keeps no index of them and a head is the job itself, not an id to look up. The front
 * is a stack of the entries pushed there, most recent first.
 *
 * @module
 */

/** What a lane holds: a job, which carries its position at the back of its lane. */
export interface LaneEntry {
  /** The job id. */
  id: string;
  /** Its position at the back of the lane it is in; -1 when it is in none, or at the front. */
  lanePos: number;
}

/** One lane: entries, front first. */
export class LaneList<T extends LaneEntry> {
  #front: T[] = [];
  #items: (T | null)[] = [];
  #start = 0;
  /** Entries dropped from the start of `#items` by compaction: position - `#dropped` = index. */
  #dropped = 0;
  /** Entries at the back (the non-null ones of `#items`). */
  #backSize = 0;

  /** Number of entries. */
  get size(): number {
    return this.#front.length + this.#backSize;
  }

  /** Appends `entry` at the back. */
  pushBack(entry: T): void {
    entry.lanePos = this.#dropped + this.#items.length;
    this.#items.push(entry);
    this.#backSize++;
  }

  /** Puts `entry` at the front. */
  pushFront(entry: T): void {
    entry.lanePos = -1;
    this.#front.push(entry);
  }

  /** The entry at the front, or undefined. */
  head(): T | undefined {
    const front = this.#front;
    if (front.length > 0) return front[front.length - 1];
    this.#skipHoles();
    return this.#items[this.#start] ?? undefined;
  }

  /** Removes and returns the entry at the front, or undefined. */
  shift(): T | undefined {
    if (this.#front.length > 0) return this.#front.pop();
    this.#skipHoles();
    const entry = this.#items[this.#start];
    if (entry === undefined || entry === null) return undefined;
    this.#items[this.#start++] = null;
    this.#backSize--;
    entry.lanePos = -1;
    this.#compact();
    return entry;
  }

  /** Removes `entry`; returns whether it was there. */
  delete(entry: T): boolean {
    const at = entry.lanePos - this.#dropped;
    if (entry.lanePos >= 0 && this.#items[at] === entry) {
      this.#items[at] = null;
      this.#backSize--;
      entry.lanePos = -1;
      return true;
    }
    const i = this.#front.lastIndexOf(entry);
    if (i < 0) return false;
    this.#front.splice(i, 1);
    return true;
  }

  /** Up to `limit` entries from position `offset` on, front first (for listings). */
  slice(offset: number, limit: number): T[] {
    const all = [...this.#front].reverse();
    for (let i = this.#start; i < this.#items.length; i++) {
      const entry = this.#items[i];
      if (entry !== null && entry !== undefined) all.push(entry);
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
