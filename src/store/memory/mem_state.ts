/**
 * The memory store's data (its job and queue records are `mem_records.ts`) and the job
 * transitions its verbs share, each the mirror of one function of `src/store/redis/lua/_jobs.lua`
 * (to_waiting, to_delayed, finish, record_attempt, lease, leave_active, stall, promote), so both
 * stores move jobs by the same rules.
 *
 * A verb runs inside `run(fn)`: effects that Redis applies at the end of a script (trimming the
 * finished indexes, waking workers) are applied when `fn` returns, in the same order.
 *
 * @module
 */
import {
  ATTEMPT_HISTORY_LIMIT,
  attemptError,
  type AttemptOutcomeName,
} from "../../job/attempt_history.ts";
import { type Lane, laneIndex, LANES } from "../../job/lanes.ts";
import { JOB_STATES, type JobState } from "../../job/states.ts";
import { defaultLaneConfig } from "../../schedule/lane_config.ts";
import { newPickerState } from "../../schedule/lane_picker.ts";
import type { RetentionConfig } from "../store.ts";
import type { Waiters } from "../_waiters.ts";
import { newLeaseToken } from "../../job/ids.ts";
import { KeyedHeap } from "./keyed_heap.ts";
import { forgetUnique, releaseUnique, type UniqueLocks } from "./uniqueness.ts";
import { releasePins, settleDependents } from "./dependencies.ts";
import { MemObserver, type ObserveOptions } from "./observe.ts";
import { LaneList } from "./lane_list.ts";
import { PrefetchIndex } from "./prefetch_index.ts";
import { MemLimits } from "./limits.ts";
import type { FinalState, MemJob, MemQueue } from "./mem_records.ts";

const EMPTY = new Uint8Array(0); // the payload a forgotten job is left with
/** Everything the memory store holds. */
export class MemState {
  /** Jobs by id. */
  readonly jobs = new Map<string, MemJob>();
  /** Queues by name, in creation order. */
  readonly queues = new Map<string, MemQueue>();
  /** Every leased job by lease deadline. */
  readonly leases = new KeyedHeap();
  /** The jobs leased to each node. */
  readonly held = new Map<string, Set<string>>();
  /** Prefetched jobs per node and queue. */
  readonly prefetched = new PrefetchIndex();
  /** Dependents of each prerequisite, in the order they were enqueued. */
  readonly dependents = new Map<string, string[]>();
  /** Dependents of each prerequisite whose edge is satisfied already. */
  readonly satisfied = new Map<string, Set<string>>();
  /** Unique locks by key. */
  readonly locks: UniqueLocks = new Map();
  /** Log lines of each job. */
  readonly logs = new Map<string, string[]>();
  /** Who hears of cancellations requested for the jobs of each node. */
  readonly cancelListeners = new Map<string, Set<(id: string) => void>>();
  /** The token base of each node's latest reserve or steal (as `call:<node>` in Redis). */
  readonly calls = new Map<string, string>();
  /** Rate and concurrency limits, and the jobs parked on them. */
  readonly limits = new MemLimits();

  /** The token base of a new reserve or steal of `worker` (see `rememberCall`). */
  newCall(callId: string | undefined): string {
    return callId ?? newLeaseToken();
  }

  /** Remembers the call of `worker` that leased jobs under `tokenBase`, for its replay. */
  rememberCall(worker: string, tokenBase: string): void {
    this.calls.set(worker, tokenBase);
  }
  /** Events and metrics. */
  readonly observe: MemObserver;
  readonly #retention: RetentionConfig;
  readonly #waiters: Waiters;
  #woken = new Set<string>();
  #trims = new Map<KeyedHeap, { q: MemQueue; state: FinalState }>();
  #deletions: string[] = [];
  /** Jobs put at each lane's front and back in the verb, in order, pushed at its end (as Lua). */
  #fronts = new Map<LaneList<MemJob>, MemJob[]>();
  #backs = new Map<LaneList<MemJob>, MemJob[]>();
  /** Finished jobs whose dependents are still to settle, and whether they are being settled. */
  #settling: MemJob[] = [];
  #draining = false;

  /** State kept under `retention`, waking `waiters` after each verb, observed as `observe` says. */
  constructor(retention: RetentionConfig, waiters: Waiters, observe: ObserveOptions) {
    this.#retention = retention;
    this.#waiters = waiters;
    this.observe = new MemObserver(observe);
  }

  /** Runs one verb at `now`: `fn`, then its end-of-call effects (trims, events, wake-ups). */
  run<T>(now: number, fn: () => T): T {
    try {
      return fn();
    } finally {
      this.observe.commit(now);
      for (const [index, { q, state }] of this.#trims) {
        const keep = this.#keep(state);
        while (index.size > keep) {
          const old = index.pop()!;
          this.count(q, state, this.jobs.get(old.id)!.lane, -1);
          this.forget(old.id);
        }
      }
      this.#trims.clear();
      for (const [lane, jobs] of this.#backs) for (const job of jobs) lane.pushBack(job);
      this.#backs.clear();
      for (const [lane, jobs] of this.#fronts) {
        for (let i = jobs.length - 1; i >= 0; i--) lane.pushFront(jobs[i]!);
      }
      this.#fronts.clear();
      for (const id of this.#deletions) this.forget(id);
      this.#deletions = [];
      const woken = this.#woken;
      this.#woken = new Set();
      if (woken.size > 0) this.#waiters.wake(woken);
    }
  }

  /** The queue `name`, created (and registered) when new. */
  queue(name: string): MemQueue {
    let q = this.queues.get(name);
    if (!q) {
      q = {
        lanes: LANES.map(() => new LaneList()),
        delayed: new KeyedHeap(),
        finished: { completed: new KeyedHeap(), dead: new KeyedHeap(), cancelled: new KeyedHeap() },
        blocked: new KeyedHeap(),
        counts: Object.fromEntries(JOB_STATES.map((s) => [s, LANES.map(() => 0)])) as Record<
          JobState,
          number[]
        >,
        throttled: LANES.map(() => 0),
        parked: new KeyedHeap(),
        paused: false,
        config: defaultLaneConfig(),
        picker: newPickerState(),
      };
      this.queues.set(name, q);
    }
    return q;
  }

  /** Wakes the workers of `queue` at the end of the verb. */
  wake(queue: string): void {
    this.#woken.add(queue);
  }

  /** Adds `delta` to the count of (state, lane); waiting depth is the lane's size instead. */
  count(q: MemQueue, state: JobState, lane: Lane, delta: number): void {
    if (state !== "waiting") q.counts[state][laneIndex(lane)]! += delta;
  }

  /**
   * Makes `job` waiting in its lane at the end of the verb: at the back, or at the front (the
   * jobs a verb puts at the front of one lane keep their order there: the first ends first).
   * `now`: at the back at once (a promotion, which a reserve reads right after).
   */
  toWaiting(job: MemJob, front: boolean, now = false): void {
    const q = this.queue(job.queue);
    job.state = "waiting";
    const lane = q.lanes[laneIndex(job.lane)]!;
    if (now) {
      lane.pushBack(job);
    } else {
      const pending = front ? this.#fronts : this.#backs;
      const jobs = pending.get(lane);
      if (jobs) jobs.push(job);
      else pending.set(lane, [job]);
    }
    this.wake(job.queue);
  }

  /**
   * Takes waiting `job` out of line: out of its lane (or out of the pushes still pending in this
   * verb), or out of the line of the limit key it is parked on.
   */
  leaveLane(job: MemJob): void {
    if (job.throttledBy !== null) return this.limits.unparkOne(this, job);
    const lane = this.queue(job.queue).lanes[laneIndex(job.lane)]!;
    for (const pending of [this.#backs.get(lane), this.#fronts.get(lane)]) {
      const at = pending?.indexOf(job) ?? -1;
      if (at >= 0) return void pending!.splice(at, 1);
    }
    lane.delete(job);
  }

  /**
   * Delays `job` until `runAt`; wakes the queue's idle workers when that is its earliest due time
   * now (they sleep until the due time they last read).
   */
  toDelayed(job: MemJob, runAt: number): void {
    const q = this.queue(job.queue);
    job.state = "delayed";
    job.runAt = runAt;
    const earliest = q.delayed.peek()?.score;
    if (earliest === undefined || runAt < earliest) this.wake(job.queue);
    q.delayed.set(job.id, runAt);
    this.count(q, "delayed", job.lane, +1);
  }

  /**
   * Moves `job` to a final state at `now`, as `finish()` in `lua/_jobs.lua`: a state kept 0 deep
   * deletes it at the end of the verb (so the rest of the verb sees it finished), unless it is a
   * completed job that dependents still pin; then its unique key is released as its scope says,
   * its own pins on its prerequisites are dropped, and its dependents are settled (unblocked, or
   * failed as their policy says, transitively).
   */
  finish(job: MemJob, state: FinalState, now: number): void {
    job.state = state;
    const pinned = state === "completed" && job.pins > 0;
    if (this.#keep(state) === 0 && !pinned) {
      this.#deletions.push(job.id);
    } else {
      const q = this.queue(job.queue);
      job.finishedAt = now;
      this.count(q, state, job.lane, +1);
      if (pinned) {
        job.pinned = true;
      } else {
        this.index(q, job, state);
      }
    }
    releaseUnique(this, job, state, now);
    releasePins(this, job);
    if (!this.dependents.has(job.id)) return;
    this.#settling.push(job);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#settling.shift(); next; next = this.#settling.shift()) {
        settleDependents(this, next, now);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Puts a finished job in its state's retention index (trimmed at the end of the verb). */
  index(q: MemQueue, job: MemJob, state: FinalState): void {
    const index = q.finished[state];
    index.set(job.id, job.finishedAt!);
    this.#trims.set(index, { q, state });
  }

  /** Deletes a job at the end of the verb (retention 0 of a job that pinned no longer). */
  deleteLater(id: string): void {
    this.#deletions.push(id);
  }

  /** Deletes a job, its dependency records, and the lock it holds (not a window). */
  forget(id: string): void {
    const job = this.jobs.get(id);
    if (job) {
      forgetUnique(this, job);
      // left pointed at by this old object, what its run made stays through minor collections
      job.result = job.token = job.worker = null;
      job.payload = EMPTY;
    }
    this.jobs.delete(id);
    this.logs.delete(id);
    this.dependents.delete(id);
    this.satisfied.delete(id);
  }

  /** The retention of `state`. */
  keep(state: FinalState): number {
    return this.#keep(state);
  }

  /** Appends an attempt of `job` that ended at `now` without completing. */
  recordAttempt(
    job: MemJob,
    outcome: AttemptOutcomeName,
    attempt: number,
    error: string | null,
    now: number,
  ): void {
    job.history.push({
      attempt,
      startedAt: job.startedAt,
      finishedAt: now,
      worker: job.worker,
      outcome,
      error: attemptError(error),
    });
    if (job.history.length > ATTEMPT_HISTORY_LIMIT) {
      job.history.splice(0, job.history.length - ATTEMPT_HISTORY_LIMIT);
    }
  }

  /** Leases `job` to `worker` until `deadline` with `token`: active, started now. */
  lease(job: MemJob, worker: string, token: string, deadline: number, now: number): void {
    job.state = "active";
    job.startedAt = now;
    job.worker = worker;
    job.token = token;
    this.leases.set(job.id, deadline);
    let held = this.held.get(worker);
    if (!held) this.held.set(worker, held = new Set());
    held.add(job.id);
  }

  /**
   * Takes an active job out of the lease indexes, the active count and the prefetch index at
   * `now`; a lease that counted against its limit key's concurrency gives its slot back.
   */
  leaveActive(job: MemJob, now: number): void {
    this.leases.delete(job.id);
    this.leaveHeld(job);
    this.count(this.queue(job.queue), "active", job.lane, -1);
    if (job.prefetched) this.unprefetch(job);
    if (job.countsAgainst) {
      job.countsAgainst = false;
      this.limits.release(this, job, now);
    }
  }

  /** Takes `job` out of the set of jobs its worker holds. */
  leaveHeld(job: MemJob): void {
    const held = this.held.get(job.worker!);
    held?.delete(job.id);
    if (held?.size === 0) this.held.delete(job.worker!);
  }

  /** Ends the prefetched status of `job`: it is no longer stealable. */
  unprefetch(job: MemJob): void {
    job.prefetched = false;
    this.prefetched.remove(job.worker!, job.queue, job.id);
  }

  /** Moves up to `limit` due delayed jobs of `q` (runAt <= now) to the back of their lanes. */
  promote(name: string, now: number, limit: number): number {
    const q = this.queues.get(name);
    if (!q) return 0;
    let moved = 0;
    while (moved < limit) {
      const top = q.delayed.peek();
      if (!top || top.score > now) break;
      q.delayed.pop();
      const job = this.jobs.get(top.id)!;
      this.count(q, "delayed", job.lane, -1);
      this.toWaiting(job, false, true);
      moved++;
    }
    return moved;
  }

  #keep(state: FinalState): number {
    return state === "dead" ? this.#retention.keepDead : this.#retention.keepFinished;
  }
}
