/**
 * Unique locks in the memory store, as `lua/_unique.lua` keeps them in Redis: one lock per key,
 * naming the job that holds it; a window lock also carries when it lapses.
 *
 * @module
 */
import type { UniqueLock, UniqueScope } from "../../job/unique.ts";
import type { MemState } from "./mem_state.ts";
import type { FinalState, MemJob } from "./mem_records.ts";

/** Locks by key: the holder and, for a window, when the lock lapses. */
export type UniqueLocks = Map<string, { id: string; until: number | null }>;

/** The job holding `key` at `now`, or null (a lapsed window or a vanished holder holds nothing). */
export function lockHolder(state: MemState, key: string, now: number): MemJob | null {
  const lock = state.locks.get(key);
  if (!lock) return null;
  if (lock.until !== null && lock.until <= now) return null;
  const job = state.jobs.get(lock.id);
  if (lock.until === null && job?.uniqueKey !== key) return null;
  return job ?? null;
}

/** Takes `lock` for job `id` at `now`. */
export function takeLock(state: MemState, lock: UniqueLock, id: string, now: number): void {
  const until = typeof lock.scope === "number" ? now + lock.scope : null;
  state.locks.set(lock.key, { id, until });
}

/** Whether a job whose key has `scope` lets it go when it reaches `event`. */
function releases(scope: UniqueScope | null, event: FinalState | "started"): boolean {
  switch (scope) {
    case "queued":
      return true;
    case "active":
      return event !== "started";
    case "until-complete":
      return event === "completed" || event === "dead";
    default:
      return false; // a window, or no key
  }
}

/** Releases `job`'s key when its scope ends at `event` and the job still holds it. */
export function releaseUnique(
  state: MemState,
  job: MemJob,
  event: FinalState | "started",
  _now: number,
): void {
  if (job.uniqueKey === null || !releases(job.uniqueScope, event)) return;
  if (state.locks.get(job.uniqueKey)?.id === job.id) state.locks.delete(job.uniqueKey);
}

/** Releases the key of a job being deleted, unless it is a window (that runs its course). */
export function forgetUnique(state: MemState, job: MemJob): void {
  if (job.uniqueKey === null || typeof job.uniqueScope === "number") return;
  if (state.locks.get(job.uniqueKey)?.id === job.id) state.locks.delete(job.uniqueKey);
}
