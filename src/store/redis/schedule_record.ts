/**
 * How a cron schedule is stored in Redis: one hash per schedule (`{p}cron:<name>`, see
 * `keys.ts` and `lua/_schedules.lua`), with short field names.
 *
 * | field | meaning | field | meaning |
 * | --- | --- | --- | --- |
 * | `p` | pattern | `m` | maxAttempts |
 * | `z` | time zone | `bo` | backoff (JSON) |
 * | `c` | catch-up policy | `uk` | unique key |
 * | `n` | function | `us` | unique scope (q, a, c or a window in ms) |
 * | `q` | queue | `uc` | unique conflict ("" reject, e, r) |
 * | `l` | lane index | `ps` | `"1"` while paused |
 * | `d` | payload bytes | `nx` | next fire time (absent: not known yet) |
 * | `rv` | revision | `lf` | lastFiredAt |
 * | `lk` | limit key | | |
 *
 * @module
 */
import type { UniqueConflict, UniqueLock, UniqueScope } from "../../job/unique.ts";
import type { CatchUpPolicy } from "../../schedule/catch_up.ts";
import type { ScheduleDefinition, StoredSchedule } from "../schedule_store.ts";
import { uniqueArgs } from "./enqueue_args.ts";
import { laneIndex } from "../../job/lanes.ts";
import { bytes, laneAt, num, pairs, text, toBuffer } from "./record.ts";
import type { ScriptArg } from "./scripts.ts";

const SCOPES: Record<string, UniqueScope> = { q: "queued", a: "active", c: "until-complete" };
const CONFLICTS: Record<string, UniqueConflict> = {
  "": "reject",
  e: "return-existing",
  r: "replace",
};

/** The 13 definition fields `set_schedule.lua` takes, in order. */
export function scheduleArgs(definition: ScheduleDefinition): ScriptArg[] {
  const { job } = definition;
  return [
    definition.pattern,
    definition.tz,
    definition.catchUp,
    job.name,
    job.queue,
    laneIndex(job.lane),
    toBuffer(job.payload),
    job.maxAttempts,
    job.backoff ?? "",
    ...uniqueArgs(job.unique),
    job.limitKey ?? "",
  ];
}

/** The unique lock of stored fields, or null. */
function uniqueOf(fields: Map<string, unknown>): UniqueLock | null {
  if (!fields.has("uk")) return null;
  const scope = text(fields.get("us"));
  return {
    key: text(fields.get("uk")),
    scope: SCOPES[scope] ?? Number(scope),
    onConflict: CONFLICTS[text(fields.get("uc"))] ?? "reject",
  };
}

/** A schedule from its hash (a flat HGETALL reply); null when the hash is empty. */
export function decodeSchedule(name: string, reply: unknown): StoredSchedule | null {
  const fields = pairs(reply);
  if (!fields.has("p")) return null;
  const optNum = (field: string): number | null =>
    fields.has(field) ? num(fields.get(field)) : null;
  return {
    name,
    pattern: text(fields.get("p")),
    tz: text(fields.get("z")),
    catchUp: text(fields.get("c")) as CatchUpPolicy,
    job: {
      name: text(fields.get("n")),
      queue: text(fields.get("q")),
      lane: laneAt(fields.get("l")),
      payload: bytes(fields.get("d")),
      maxAttempts: num(fields.get("m")),
      backoff: fields.has("bo") ? text(fields.get("bo")) : null,
      unique: uniqueOf(fields),
      limitKey: fields.has("lk") ? text(fields.get("lk")) : null,
    },
    paused: text(fields.get("ps")) === "1",
    next: optNum("nx"),
    lastFiredAt: optNum("lf"),
    revision: num(fields.get("rv")),
  };
}

/** The schedules of a flat `[name, hash, ...]` reply (names without a hash left out). */
export function decodeSchedules(reply: unknown[], from = 0): StoredSchedule[] {
  const out: StoredSchedule[] = [];
  for (let i = from; i + 1 < reply.length; i += 2) {
    const schedule = decodeSchedule(text(reply[i]), reply[i + 1]);
    if (schedule) out.push(schedule);
  }
  return out;
}
