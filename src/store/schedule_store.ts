/**
 * The schedules part of the store seam (`store.schedules`): cron schedules kept where every node
 * and the gateway see them, and the leader-only verb that fires their ticks. Both stores
 * implement it with the same semantics (the conformance suite holds them to it).
 *
 * A schedule holds its definition (pattern, zone, catch-up policy, and the job each tick
 * enqueues, validated and encoded by the engine) and its run-time state: `paused`, `next` (the
 * earliest tick not handled yet, on the store's clock; null until the leader computes it) and
 * `lastFiredAt`. Defining a schedule again keeps its run-time state; a new pattern or zone
 * clears `next`. Every change of definition or pause state, and every round fired, raises
 * `revision`, so a leader that read a schedule before the change cannot fire it (`fire` is
 * refused, and it reads again), and a round is applied once even when delivered twice.
 *
 * @module
 */
import type { Lane } from "../job/lanes.ts";
import type { StatusCode } from "../job/status.ts";
import type { UniqueLock } from "../job/unique.ts";
import type { CatchUpPolicy } from "../schedule/catch_up.ts";
import type { LeaderLease } from "./cluster.ts";
import type { NewJob } from "./store.ts";

/** Due schedules one `due` call returns at most (by default). */
export const DUE_SCHEDULES_BATCH = 100;

/** The job a schedule enqueues at each tick. */
export interface ScheduleJob {
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** Lane. */
  lane: Lane;
  /**
   * Encoded payload. It may be a view on a buffer shared with other bytes (see `ownBytes`): a
   * store copies it before keeping, cloning or transferring it.
   */
  payload: Uint8Array;
  /** Attempts in all. */
  maxAttempts: number;
  /** Its own retry backoff as JSON, or null. */
  backoff: string | null;
  /** Its unique lock, or null. */
  unique: UniqueLock | null;
  /** Its limit key when its function has limits, or null. */
  limitKey: string | null;
}

/** A schedule's definition. */
export interface ScheduleDefinition {
  /** Schedule name (letters, digits, `_.:-`, at most 128). */
  name: string;
  /** Cron pattern, checked by the engine. */
  pattern: string;
  /** IANA time zone. */
  tz: string;
  /** What the schedule fires after downtime. */
  catchUp: CatchUpPolicy;
  /** The job of each tick. */
  job: ScheduleJob;
}

/** A schedule as the store keeps it. */
export interface StoredSchedule extends ScheduleDefinition {
  /** Paused: nothing fires until it is resumed. */
  paused: boolean;
  /** The earliest tick not handled yet (epoch ms), or null until the leader computes it. */
  next: number | null;
  /** The latest tick the leader fired (epoch ms), or null. */
  lastFiredAt: number | null;
  /** Raised by every change of definition or pause state, and by every round fired. */
  revision: number;
}

/** What `set` did. */
export type ScheduleWrite = "created" | "updated" | "unchanged";

/** Schedules to handle now, as `due` answers. */
export interface DueSchedules {
  /** The store's now (epoch ms). */
  now: number;
  /** Unpaused schedules whose `next` is due or unknown, earliest first. */
  schedules: StoredSchedule[];
  /** Ms until the earliest `next` of the others, or null when none has one. */
  nextIn: number | null;
}

/** One round of a schedule, as the leader planned it. */
export interface Firing {
  /** The schedule. */
  name: string;
  /** The revision the leader read; another one refuses the round. */
  revision: number;
  /** One job per tick (id `cron:<name>:<tick>`, `runAt` the tick), oldest first. */
  ticks: NewJob[];
  /** Its next fire time after this round. */
  next: number;
}

/** What `fire` did. */
export interface FireOutcome {
  /**
   * OK (ticks enqueued, `next` moved), NOT_FOUND (deleted meanwhile), WRONG_STATE (paused, or
   * another revision: read it again) or NOT_LEADER (nothing changed).
   */
  status: StatusCode;
  /** Ticks that made a new job (0 for ticks enqueued already, or kept out by a unique key). */
  created: number;
  /** The job holding a unique key that refused the round's jobs, or null. */
  refusedBy: string | null;
}

/** The schedules part of a store. */
export interface ScheduleStore {
  /**
   * Stores a schedule's definition: a new one active with `next` unknown; an existing one keeps
   * `paused` and `lastFiredAt`, and `next` unless its pattern or zone changed. Idempotent.
   */
  set(definition: ScheduleDefinition): Promise<ScheduleWrite>;
  /** One schedule, or null. */
  get(name: string): Promise<StoredSchedule | null>;
  /** Every schedule, by name. */
  list(): Promise<StoredSchedule[]>;
  /** Deletes a schedule; false when there was none. Jobs it enqueued stay. */
  delete(name: string): Promise<boolean>;
  /**
   * Pauses (nothing fires) or resumes a schedule; resuming clears `next`, so ticks that fell
   * while it was paused never fire. OK, or NOT_FOUND.
   */
  setPaused(name: string, paused: boolean): Promise<StatusCode>;
  /** Unpaused schedules whose `next` is due or unknown (at most `limit`), and the wait after. */
  due(limit?: number): Promise<DueSchedules>;
  /**
   * Leader-only: enqueues the ticks of one round (each at most once: ids are deterministic and
   * enqueue is idempotent; a tick's `runAt` stays its tick time even when that is past), moves
   * the schedule's `next` and `lastFiredAt` and raises its `revision`, atomically, when `lease` is
   * current and the schedule is unpaused at `revision` (so a round delivered twice is refused
   * the second time). A unique key held elsewhere keeps a tick from making a job (the
   * holder stands); the round still counts.
   */
  fire(lease: LeaderLease, firing: Firing): Promise<FireOutcome>;
  /** Resolves when a schedule is set, deleted, paused or resumed; after `timeoutMs`; on abort. */
  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void>;
}
