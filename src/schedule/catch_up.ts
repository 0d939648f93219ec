/**
 * What the leader fires for a due schedule: the rule of catch-up after downtime.
 *
 * A schedule's stored `next` is the earliest tick not handled yet. When the leader finds it due
 * (`next <= now`), every tick from `next` to `now` is due. The latest of them is on time when it
 * is less than `MISFIRE_GRACE_MS` late; the rest were missed (the leader was down, or leadership
 * was changing hands). Per schedule:
 *
 * | catchUp | fires |
 * | --- | --- |
 * | `"skip"` (default) | the latest due tick if it is on time; missed ticks never |
 * | `"one"` | the latest due tick, on time or not: one run stands for all that were missed |
 * | `"all"` | every due tick, the latest `MAX_CATCH_UP_TICKS` when more were missed |
 *
 * Then `next` becomes the first tick after `now`. A schedule whose `next` is not known yet (new,
 * its pattern or zone changed, or resumed) fires nothing: it only gets its `next`.
 *
 * @module
 */
import type { CronPattern } from "./cron.ts";

/** The catch-up policies. */
export const CATCH_UP_POLICIES = ["skip", "one", "all"] as const;

/** What a schedule fires after downtime: see the module doc. */
export type CatchUpPolicy = typeof CATCH_UP_POLICIES[number];

/** How late a tick may be and still count as on time (ms): one minute. */
export const MISFIRE_GRACE_MS = 60_000;

/** Most ticks one round of catch-up fires under `"all"`: the latest 100 missed. */
export const MAX_CATCH_UP_TICKS = 100;

/** What to do with a due schedule. */
export interface FirePlan {
  /** The ticks to fire (epoch ms), oldest first. */
  ticks: number[];
  /** Its next fire time after this round. */
  next: number;
  /** Due ticks not fired (at least this many: more were not counted past the cap). */
  missed: number;
}

/** Throws a `TypeError` naming `where` unless `value` is a catch-up policy. */
export function assertCatchUp(value: unknown, where: string): asserts value is CatchUpPolicy {
  if (!CATCH_UP_POLICIES.includes(value as CatchUpPolicy)) {
    throw new TypeError(
      `${where}: catchUp must be "skip", "one" or "all", got ${JSON.stringify(value)}`,
    );
  }
}

/** The plan for a schedule of `cron` whose stored next fire time is `next` (null: unknown). */
export function planFiring(
  cron: CronPattern,
  next: number | null,
  catchUp: CatchUpPolicy,
  now: number,
): FirePlan {
  const following = cron.nextAfter(now);
  if (next === null || next > now) return { ticks: [], next: next ?? following, missed: 0 };
  const { ticks, more } = cron.latest(next, now, catchUp === "all" ? MAX_CATCH_UP_TICKS : 1);
  const latest = ticks.at(-1);
  let fire = ticks;
  if (catchUp !== "all" && latest !== undefined) {
    fire = catchUp === "one" || now - latest < MISFIRE_GRACE_MS ? [latest] : [];
  }
  return { ticks: fire, next: following, missed: ticks.length - fire.length + (more ? 1 : 0) };
}
