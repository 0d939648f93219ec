/**
 * The store of a test engine: a `MemoryStore` with a cron leader built in (`TestLeader`). Its
 * schedules tell the leader of every definition stored and every resume, at once, as a live
 * leader is woken by the change: so a schedule set at 08:00 has its first fire time counted
 * from 08:00, and a tick falls due when the manual clock reaches it, whenever `drain` runs.
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { StatusCode } from "../job/status.ts";
import { MemoryStore, type MemoryStoreOptions } from "../store/memory/memory_store.ts";
import type {
  DueSchedules,
  FireOutcome,
  Firing,
  ScheduleDefinition,
  ScheduleStore,
  ScheduleWrite,
  StoredSchedule,
} from "../store/schedule_store.ts";
import type { LeaderLease } from "../store/cluster.ts";
import { TestLeader } from "./test_leader.ts";

/** A memory store whose schedules are seen by its own leader as soon as they change. */
export class TestStore extends MemoryStore {
  /** The schedules as the memory store keeps them: what the leader reads and fires. */
  readonly storedSchedules: ScheduleStore = (this as MemoryStore).schedules; // set by super()
  /** The cron leader: `drain` asks it to fire due ticks. */
  readonly leader: TestLeader;
  /** The schedules every caller sees: changes are handed to the leader at once. */
  override readonly schedules: ScheduleStore = new SchedulesSeenByLeader(
    this.storedSchedules,
    () => this.leader.fireDue(),
  );

  /** A store on `options.clock`, logging its leader's notes to `logger`. */
  constructor(options: MemoryStoreOptions, logger: Logger) {
    super(options);
    this.leader = new TestLeader(this, this.storedSchedules, logger);
  }
}

/** Schedules that call `changed` after each definition stored and each pause or resume. */
class SchedulesSeenByLeader implements ScheduleStore {
  #stored: ScheduleStore;
  #changed: () => Promise<unknown>;

  constructor(stored: ScheduleStore, changed: () => Promise<unknown>) {
    this.#stored = stored;
    this.#changed = changed;
  }

  async set(definition: ScheduleDefinition): Promise<ScheduleWrite> {
    const write = await this.#stored.set(definition);
    await this.#changed();
    return write;
  }

  async setPaused(name: string, paused: boolean): Promise<StatusCode> {
    const status = await this.#stored.setPaused(name, paused);
    await this.#changed();
    return status;
  }

  get(name: string): Promise<StoredSchedule | null> {
    return this.#stored.get(name);
  }

  list(): Promise<StoredSchedule[]> {
    return this.#stored.list();
  }

  delete(name: string): Promise<boolean> {
    return this.#stored.delete(name);
  }

  due(limit?: number): Promise<DueSchedules> {
    return this.#stored.due(limit);
  }

  fire(lease: LeaderLease, firing: Firing): Promise<FireOutcome> {
    return this.#stored.fire(lease, firing);
  }

  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#stored.waitForChange(timeoutMs, signal);
  }
}
