/**
 * Cron schedules in Redis (`store.schedules` of `RedisStore`): each verb is one script
 * (`lua/set_schedule.lua`, `get_schedules.lua`, `delete_schedule.lua`, `pause_schedule.lua`,
 * `due_schedules.lua`, `fire_schedule.lua`); changes are published on `{p}cron-wake`, which
 * `waitForChange` listens to. Semantics match `MemorySchedules`.
 *
 * @module
 */
import { type StatusCode, toStatus } from "../../job/status.ts";
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
import { enqueueArgs } from "./enqueue_args.ts";
import { num, text } from "./record.ts";
import { decodeSchedules, scheduleArgs } from "./schedule_record.ts";
import type { ScriptArg, ScriptName } from "./scripts.ts";
import type { WakeHub } from "./wake.ts";

/** What the schedules need of the Redis store. */
export interface RedisScheduleHost {
  /** Runs a store script. */
  run(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown>;
  /** The `now` argument of a script (the injected clock's time, or "" for Redis `TIME`). */
  now(): number | string;
  /** The store options as the scripts take them (see `read_opts` in `lua/_jobs.lua`). */
  opts: string;
  /** The store's wake-up subscriptions. */
  wake: WakeHub;
  /** The channel of schedule changes. */
  channel: string;
}

/** The Redis store's schedules. */
export class RedisSchedules implements ScheduleStore {
  #host: RedisScheduleHost;

  /** Schedules of the Redis store `host` describes. */
  constructor(host: RedisScheduleHost) {
    this.#host = host;
  }

  async set(definition: ScheduleDefinition): Promise<ScheduleWrite> {
    const args = [definition.name, ...scheduleArgs(definition)];
    return text(await this.#host.run("setSchedule", args)) as ScheduleWrite;
  }

  async get(name: string): Promise<StoredSchedule | null> {
    return decodeSchedules(await this.#host.run("getSchedules", [name]) as unknown[])[0] ?? null;
  }

  async list(): Promise<StoredSchedule[]> {
    return decodeSchedules(await this.#host.run("getSchedules", []) as unknown[]);
  }

  async delete(name: string): Promise<boolean> {
    return num(await this.#host.run("deleteSchedule", [name])) === 1;
  }

  async setPaused(name: string, paused: boolean): Promise<StatusCode> {
    return toStatus(await this.#host.run("pauseSchedule", [name, paused ? "1" : "0"]));
  }

  async due(limit: number = DUE_SCHEDULES_BATCH): Promise<DueSchedules> {
    const reply = await this.#host.run("dueSchedules", [this.#host.now(), limit]) as unknown[];
    const wait = text(reply[1]);
    return {
      now: num(reply[0]),
      schedules: decodeSchedules(reply, 2),
      nextIn: wait === "" ? null : Number(wait),
    };
  }

  async fire(lease: LeaderLease, firing: Firing): Promise<FireOutcome> {
    const { now, opts } = { now: this.#host.now(), opts: this.#host.opts };
    const args: ScriptArg[] = [now, opts, lease.token, lease.epoch, firing.name, firing.revision];
    args.push(firing.next);
    for (const tick of firing.ticks) args.push(...enqueueArgs(tick));
    const [status, created, refused] = await this.#host.run("fireSchedule", args) as unknown[];
    return { status: toStatus(status), created: num(created), refusedBy: text(refused) || null };
  }

  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#host.wake.wait([this.#host.channel], timeoutMs, signal);
  }
}
