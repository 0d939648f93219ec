/**
 * Rate and concurrency limits in the memory store, step for step as `lua/_limits.lua` keeps
 * them: a limit key (a function name, `name|key`, or `@queue` for a queue's rate limit) has a
 * window of its newest start times, a count of the leases held against its concurrency, a line
 * of waiting jobs parked on it while it is full or paused, and a time when it may start them
 * again (`opens`; Infinity: when one of its leases ends).
 *
 * @module
 */
import { laneIndex } from "../../job/lanes.ts";
import type { FunctionLimits, RateLimit } from "../../job/limits.ts";
import { KeyedHeap } from "./keyed_heap.ts";
import type { MemState } from "./mem_state.ts";
import type { MemJob } from "./mem_records.ts";

/** Limit keys opened at once by one call, at most (as `unpark()` in `lua/_limits.lua`). */
const UNPARK_BATCH = 100;

/** The limits of one key: a rate (null: none) and a concurrency (0: none). */
interface KeyLimits {
  rate: RateLimit | null;
  concurrency: number;
}

/** What one call did to a key: jobs it moved back to their lanes, starts it counted. */
interface KeyCall {
  moved: number;
  starts: number;
  /** The key has parked jobs (or is a queue that waits): it gets an opening time. */
  held: boolean;
}

/** Every limit of one memory store. */
export class MemLimits {
  /** Function limits by name. */
  readonly functions = new Map<string, FunctionLimits>();
  /** When each key holding parked jobs may start them again. */
  readonly opens = new KeyedHeap();
  readonly #windows = new Map<string, number[]>(); // newest first, at most rate.max
  readonly #active = new Map<string, number>();
  readonly #parked = new Map<string, string[]>();
  readonly #pauses = new Map<string, number>();
  /** Keys looked at by the current call (cleared by `settle`). */
  #call = new Map<string, KeyCall>();

  /** The limits of function `name` (applied to each of its keys), or null when it has none. */
  #limitsOf(name: string): KeyLimits | null {
    const f = this.functions.get(name);
    if (!f) return null;
    return { rate: f.rate, concurrency: f.concurrency ?? 0 };
  }

  #callOf(key: string): KeyCall {
    let c = this.#call.get(key);
    if (!c) this.#call.set(key, c = { moved: 0, starts: 0, held: false });
    return c;
  }

  /** The pause of `key` still in force at `now`, or undefined (lapsed ones are dropped). */
  #pause(key: string, now: number): number | undefined {
    const until = this.#pauses.get(key);
    if (until !== undefined && until <= now) this.#pauses.delete(key);
    return until !== undefined && until > now ? until : undefined;
  }

  /** Starts `key` may still give at `now` under `limits`. */
  #rateLeft(key: string, limits: KeyLimits | null, now: number): number {
    if (this.#pause(key, now) !== undefined) return 0;
    const rate = limits?.rate;
    if (!rate) return Infinity;
    const times = this.#windows.get(key) ?? [];
    return rate.max - times.filter((t) => t > now - rate.duration).length;
  }

  /** Leases `key` may still hold under `limits`. */
  #concLeft(key: string, limits: KeyLimits | null): number {
    if (!limits || limits.concurrency === 0) return Infinity;
    return limits.concurrency - (this.#active.get(key) ?? 0);
  }

  /**
   * The key job `job` waits on at `now` (its limit key full or paused, or its function paused),
   * or null when it may start.
   */
  blocking(job: MemJob, now: number): string | null {
    const key = job.limitKey;
    if (key === null) return this.#pause(job.name, now) === undefined ? null : job.name;
    const limits = this.#limitsOf(job.name);
    return this.#rateLeft(key, limits, now) > 0 && this.#concLeft(key, limits) > 0 ? null : key;
  }

  /** Whether the queue rate limit `limit` of key `key` has no start left at `now`. */
  queueFull(key: string, limit: RateLimit, now: number): boolean {
    return this.#rateLeft(key, { rate: limit, concurrency: 0 }, now) <= 0;
  }

  /** Marks queue key `key` to be looked at again when its window opens. */
  queueWaits(key: string): void {
    this.#callOf(key).held = true;
  }

  /**
   * Counts a start at `now` against key `key` (of function `name`, or a queue key with `rate`);
   * returns whether the lease counts against its concurrency.
   */
  take(key: string, name: string | null, now: number, rate?: RateLimit): boolean {
    const limits = name === null ? { rate: rate!, concurrency: 0 } : this.#limitsOf(name);
    this.#callOf(key).starts++;
    if (limits?.rate) {
      const times = this.#windows.get(key) ?? [];
      times.unshift(now);
      times.length = Math.min(times.length, limits.rate.max);
      this.#windows.set(key, times);
    }
    if (!limits || limits.concurrency === 0) return false;
    this.#active.set(key, (this.#active.get(key) ?? 0) + 1);
    return true;
  }

  /** Parks waiting `job` (already out of its lane) on key `key`, counted as throttled. */
  park(state: MemState, job: MemJob, key: string, now: number): void {
    let line = this.#parked.get(key);
    if (!line) this.#parked.set(key, line = []);
    line.push(job.id);
    this.#setAside(state, job, key, now);
    this.#callOf(key).held = true;
  }

  /**
   * A handler asked to slow down: pauses `key` until `until` on every node and parks `job` first
   * in its line; the key is not looked at again before then.
   */
  throttle(state: MemState, job: MemJob, key: string, until: number, now: number): void {
    this.#pauses.set(key, until);
    let line = this.#parked.get(key);
    if (!line) this.#parked.set(key, line = []);
    line.unshift(job.id);
    job.state = "waiting";
    this.#setAside(state, job, key, now);
    if ((this.opens.score(key) ?? -Infinity) < until) this.opens.set(key, until);
  }

  /** Takes waiting `job` out of the line of the key it is parked on. */
  unparkOne(state: MemState, job: MemJob): void {
    const key = job.throttledBy!;
    const line = this.#parked.get(key);
    const at = line?.indexOf(job.id) ?? -1;
    if (at >= 0) line!.splice(at, 1);
    if (line?.length === 0) this.#parked.delete(key);
    this.#putBack(state, job);
  }

  /** Marks `job` parked on `key` at `now`: counted, listed, observed. */
  #setAside(state: MemState, job: MemJob, key: string, now: number): void {
    const q = state.queue(job.queue);
    job.throttledBy = key;
    q.throttled[laneIndex(job.lane)]! += 1;
    q.parked.set(job.id, now);
    state.observe.throttled(job, now);
  }

  /** Ends `job`'s parking (the caller takes it out of its key's line). */
  #putBack(state: MemState, job: MemJob): void {
    const q = state.queue(job.queue);
    job.throttledBy = null;
    q.throttled[laneIndex(job.lane)]! -= 1;
    q.parked.delete(job.id);
  }

  /**
   * A lease of `job` that counted against its key's concurrency ended: the slot is free. Its
   * queue and the queue of the key's first parked job (which may be another) are woken.
   */
  release(state: MemState, job: MemJob, now: number): void {
    const key = job.limitKey!;
    this.#active.set(key, (this.#active.get(key) ?? 1) - 1);
    const head = this.#parked.get(key)?.[0];
    if (head !== undefined) {
      this.opens.set(key, now);
      state.wake(job.queue);
      const parked = state.jobs.get(head);
      if (parked) state.wake(parked.queue);
    }
  }

  /**
   * Moves the jobs parked on keys that opened by `now` back to the front of their lanes, as many
   * as each key may start now (a reserve reads the lanes next).
   */
  unpark(state: MemState, now: number): void {
    const opened: string[] = [];
    while (opened.length < UNPARK_BATCH && (this.opens.peek()?.score ?? Infinity) <= now) {
      opened.push(this.opens.pop()!.id); // settle() gives the keys still holding jobs a new time
    }
    for (const key of opened) {
      if (key.startsWith("@")) continue;
      const limits = this.#limitsOf(key.split("|", 1)[0]!);
      const line = this.#parked.get(key) ?? [];
      const n = Math.min(
        this.#rateLeft(key, limits, now),
        this.#concLeft(key, limits),
        line.length,
      );
      if (n > 0) {
        this.#callOf(key).moved += n;
        const moved = line.splice(0, n);
        for (let i = moved.length - 1; i >= 0; i--) {
          const job = state.jobs.get(moved[i]!)!;
          this.#putBack(state, job);
          state.queue(job.queue).lanes[laneIndex(job.lane)]!.pushFront(job);
        }
      }
      if (line.length > 0) this.#callOf(key).held = true;
      else this.#parked.delete(key);
    }
  }

  /**
   * Ends a call: each key it looked at that still holds parked jobs (or a queue that waits) gets
   * the time it may start them again (as the flush hook of `lua/_limits.lua`).
   */
  settle(state: MemState, now: number): void {
    for (const [key, c] of this.#call) {
      if (!c.held) continue;
      const open = this.#openTime(state, key, c, now);
      this.opens.set(key, open ?? Infinity);
    }
    this.#call = new Map();
  }

  /** As `open_time` in `lua/_limits.lua`. */
  #openTime(state: MemState, key: string, c: KeyCall, now: number): number | null {
    const limits = key.startsWith("@")
      ? { rate: state.queues.get(key.slice(1))?.config.rateLimit ?? null, concurrency: 0 }
      : this.#limitsOf(key.split("|", 1)[0]!);
    const pending = Math.max(c.moved - c.starts, 0);
    if (this.#concLeft(key, limits) - pending <= 0) return null;
    const paused = this.#pause(key, now);
    if (paused !== undefined) return paused;
    const rate = limits?.rate;
    if (!rate || this.#rateLeft(key, limits, now) - pending > 0) return now;
    const k = rate.max - pending;
    if (k <= 0) return now + rate.duration;
    const t = this.#windows.get(key)?.[k - 1];
    return t === undefined ? now : t + rate.duration;
  }

  /**
   * Sets the limits of functions by name; the keys of those whose limits changed are looked at
   * again at `now`. Returns whether any changed.
   */
  configure(limits: Record<string, FunctionLimits | null>, now: number): boolean {
    const changed = new Set<string>();
    for (const [name, l] of Object.entries(limits)) {
      const none = l === null || (l.rate === null && l.concurrency === null);
      const before = JSON.stringify(this.functions.get(name) ?? null);
      if (none) this.functions.delete(name);
      else this.functions.set(name, structuredClone(l));
      if (JSON.stringify(this.functions.get(name) ?? null) !== before) changed.add(name);
    }
    for (const { id: key } of this.opens.sorted()) {
      if (changed.has(key.split("|", 1)[0]!)) this.opens.set(key, now);
    }
    return changed.size > 0;
  }
}
