/**
 * Cron schedules in the memory store, step for step as the Redis scripts `set_schedule.lua`,
 * `get_schedules.lua`, `delete_schedule.lua`, `pause_schedule.lua`, `due_schedules.lua` and
 * `fire_schedule.lua` keep them: a record per schedule, and a due index of unpaused schedules by
 * next fire time (0 while not known).
 *
 * @module
 */
import { DuplicateJobError } from "../../job/enqueue_errors.ts";
import { Status, type StatusCode } from "../../job/status.ts";
import type { LeaderLease } from "../cluster.ts";
import {
  DUE_SCHEDULES_BATCH,
  type DueSchedules,
  type FireOutcome,
  type Firing,
  type ScheduleDefinition,
  type ScheduleStore,
  type ScheduleWrite,
  type StoredSchedule,
} from "../schedule_store.ts";
import type { Waiters } from "../_waiters.ts";
import { enqueue } from "./enqueue.ts";
import { KeyedHeap } from "./keyed_heap.ts";
import type { MemState } from "./mem_state.ts";
import { ownBytes } from "../../codec/byte_pool.ts";

/** What the schedules need of the memory store. */
export interface ScheduleHost {
  /** Runs one verb on the state at the store clock's now. */
  run<T>(fn: (state: MemState, now: number) => T): Promise<T>;
  /** True when `lease` is the current, unlapsed leader lease at `now`. */
  leads(lease: LeaderLease, now: number): boolean;
  /** The store's waiters (a schedule change wakes `CHANGED`). */
  waiters: Waiters;
}

/** The waiter name of schedule changes (no queue name can contain `#`). */
const CHANGED = "#schedules";

/** Whether two definitions are equal field by field (payload bytes included). */
function sameDefinition(a: ScheduleDefinition, b: ScheduleDefinition): boolean {
  const { payload: pa, ...ja } = a.job;
  const { payload: pb, ...jb } = b.job;
  return a.pattern === b.pattern && a.tz === b.tz && a.catchUp === b.catchUp &&
    JSON.stringify(ja) === JSON.stringify(jb) && pa.length === pb.length &&
    pa.every((byte, i) => byte === pb[i]);
}

/** The memory store's schedules. */
export class MemorySchedules implements ScheduleStore {
  #host: ScheduleHost;
  #schedules = new Map<string, StoredSchedule>();
  #due = new KeyedHeap();

  /** Schedules of the memory store `host` describes. */
  constructor(host: ScheduleHost) {
    this.#host = host;
  }

  set(definition: ScheduleDefinition): Promise<ScheduleWrite> {
    return this.#host.run(() => {
      // the payload first in a buffer of its own: a clone of a pooled view copies its whole slab
      const def = structuredClone({
        ...definition,
        job: { ...definition.job, payload: ownBytes(definition.job.payload) },
      });
      const old = this.#schedules.get(def.name);
      if (old && sameDefinition(old, def)) return "unchanged";
      const fresh = !old || old.pattern !== def.pattern || old.tz !== def.tz;
      const stored: StoredSchedule = {
        ...def,
        paused: old?.paused ?? false,
        next: fresh ? null : old.next,
        lastFiredAt: old?.lastFiredAt ?? null,
        revision: (old?.revision ?? 0) + 1,
      };
      this.#schedules.set(def.name, stored);
      if (fresh && !stored.paused) this.#due.set(def.name, 0);
      this.#changed();
      return old ? "updated" : "created";
    });
  }

  get(name: string): Promise<StoredSchedule | null> {
    const schedule = this.#schedules.get(name);
    return Promise.resolve(schedule ? structuredClone(schedule) : null);
  }

  list(): Promise<StoredSchedule[]> {
    const names = [...this.#schedules.keys()].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
    return Promise.resolve(names.map((name) => structuredClone(this.#schedules.get(name)!)));
  }

  delete(name: string): Promise<boolean> {
    if (!this.#schedules.delete(name)) return Promise.resolve(false);
    this.#due.delete(name);
    this.#changed();
    return Promise.resolve(true);
  }

  setPaused(name: string, paused: boolean): Promise<StatusCode> {
    const schedule = this.#schedules.get(name);
    if (!schedule) return Promise.resolve(Status.NOT_FOUND);
    if (schedule.paused === paused) return Promise.resolve(Status.OK);
    schedule.paused = paused;
    if (paused) {
      this.#due.delete(name);
    } else {
      schedule.next = null;
      this.#due.set(name, 0);
    }
    schedule.revision++;
    this.#changed();
    return Promise.resolve(Status.OK);
  }

  due(limit: number = DUE_SCHEDULES_BATCH): Promise<DueSchedules> {
    return this.#host.run((_state, now) => {
      const entries = this.#due.sorted();
      const due = entries.filter((e) => e.score <= now).slice(0, limit);
      const after = entries.find((e) => e.score > now);
      return {
        now,
        schedules: due.map((e) => structuredClone(this.#schedules.get(e.id)!)),
        nextIn: after ? after.score - now : null,
      };
    });
  }

  fire(lease: LeaderLease, firing: Firing): Promise<FireOutcome> {
    return this.#host.run((state, now): FireOutcome => {
      const none = (status: StatusCode): FireOutcome => ({ status, created: 0, refusedBy: null });
      if (!this.#host.leads(lease, now)) return none(Status.NOT_LEADER);
      const schedule = this.#schedules.get(firing.name);
      if (!schedule) return none(Status.NOT_FOUND);
      if (schedule.paused || schedule.revision !== firing.revision) return none(Status.WRONG_STATE);
      const outcome = none(Status.OK);
      if (firing.ticks.length > 0) {
        try {
          enqueue(state, firing.ticks, now).forEach((out, i) => {
            if (!out.created) return;
            outcome.created++;
            const tick = firing.ticks[i]!.runAt!;
            if (tick <= now) state.jobs.get(out.id)!.runAt = tick;
          });
        } catch (error) {
          if (!(error instanceof DuplicateJobError)) throw error;
          outcome.refusedBy = error.existingId;
        }
        const latest = Math.max(...firing.ticks.map((t) => t.runAt!));
        schedule.lastFiredAt = Math.max(schedule.lastFiredAt ?? latest, latest);
      }
      schedule.next = firing.next;
      schedule.revision++;
      this.#due.set(firing.name, firing.next);
      return outcome;
    });
  }

  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#host.waiters.wait([CHANGED], timeoutMs, signal);
  }

  #changed(): void {
    this.#host.waiters.wake([CHANGED]);
  }
}
