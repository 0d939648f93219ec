/**
 * Job dependencies in the memory store, as `lua/_deps.lua` keeps them in Redis: each
 * prerequisite lists its dependents in enqueue order and which of those edges are satisfied; a
 * dependent holds its open count while blocked; a completed prerequisite stays out of retention
 * (pinned) until its dependents finish; and a dependent raises its open ancestors to its lane
 * (priority inheritance).
 *
 * @module
 */
import { prerequisiteFailedError } from "../../job/dependencies.ts";
import { type Lane, laneIndex, LANES } from "../../job/lanes.ts";
import type { MemState } from "./mem_state.ts";
import type { MemJob } from "./mem_records.ts";

/** The failure policy letter stored in Redis, by policy. */
const FINISHED = new Set(["completed", "dead", "cancelled"]);

/**
 * Records the edge `prerequisite -> job` for a job being enqueued; true when the edge is open
 * (the job must wait for it). A completed prerequisite is pinned (kept out of retention) until
 * the job finishes. `failed` is called for a prerequisite that already failed under policy fail.
 */
export function addEdge(state: MemState, prerequisite: MemJob, job: MemJob): boolean {
  let list = state.dependents.get(prerequisite.id);
  if (!list) state.dependents.set(prerequisite.id, list = []);
  list.push(job.id);
  prerequisite.pins += 1;
  if (prerequisite.state === "completed" && !prerequisite.pinned) {
    prerequisite.pinned = true;
    if (prerequisite.finishedAt !== null) {
      state.queue(prerequisite.queue).finished.completed.delete(prerequisite.id);
    }
  }
  const done = prerequisite.state === "completed" ||
    ((prerequisite.state === "dead" || prerequisite.state === "cancelled") &&
      job.onPrerequisiteFailure === "skip");
  if (done) satisfiedOf(state, prerequisite.id).add(job.id);
  return !done;
}

function satisfiedOf(state: MemState, id: string): Set<string> {
  let set = state.satisfied.get(id);
  if (!set) state.satisfied.set(id, set = new Set());
  return set;
}

/** Drops `job`'s pins on its prerequisites; a completed one no dependent pins joins retention. */
export function releasePins(state: MemState, job: MemJob): void {
  for (const id of job.prerequisites) {
    const p = state.jobs.get(id);
    if (!p || --p.pins > 0 || !p.pinned) continue;
    p.pinned = false;
    const q = state.queue(p.queue);
    if (state.keep("completed") === 0) {
      state.count(q, "completed", p.lane, -1);
      state.deleteLater(p.id);
    } else {
      state.index(q, p, "completed");
    }
  }
}

/**
 * Settles the open edges of finished `prerequisite`: completed (or a failure under `skip`)
 * satisfies them and unblocks dependents with none left; a failure fails dependents under
 * `fail` (dead, with an error naming it) and leaves those under `wait` blocked.
 */
export function settleDependents(state: MemState, prerequisite: MemJob, now: number): void {
  const satisfied = satisfiedOf(state, prerequisite.id);
  for (const id of [...state.dependents.get(prerequisite.id) ?? []]) {
    if (satisfied.has(id)) continue;
    const job = state.jobs.get(id);
    if (!job || job.state !== "blocked") continue;
    const q = state.queue(job.queue);
    if (prerequisite.state === "completed" || job.onPrerequisiteFailure === "skip") {
      satisfied.add(id);
      if (--job.openPrerequisites <= 0) unblock(state, job, now);
    } else if (job.onPrerequisiteFailure === "fail") {
      q.blocked.delete(id);
      state.count(q, "blocked", job.lane, -1);
      job.openPrerequisites = 0;
      job.error = prerequisiteFailedError(prerequisite.id, prerequisite.state);
      state.observe.failed(job, job.attempts, null, now, "dead", null, job.error, now);
      state.finish(job, "dead", now);
    }
  }
}

/** A blocked job with no open prerequisite left: delayed until its due time, or waiting. */
export function unblock(state: MemState, job: MemJob, now: number): void {
  const q = state.queue(job.queue);
  q.blocked.delete(job.id);
  state.count(q, "blocked", job.lane, -1);
  job.openPrerequisites = 0;
  if (job.runAt > now) {
    state.toDelayed(job, job.runAt);
  } else {
    job.runAt = now;
    state.toWaiting(job, false);
  }
}

/**
 * Priority inheritance: serves `ids` (open prerequisites) and their own open ancestors at
 * `lane` when they sit lower; a waiting one moves to the back of its new lane.
 *
 * `walked` (job id -> the lowest lane index a walk of this call reached it with) lets one call
 * walk a bulk DAG in O(V + E): a walk at lane t leaves every open ancestor at t or higher, so a
 * later walk at t or lower stops there. Clear it when a lane is lowered within the call.
 */
export function raise(
  state: MemState,
  ids: readonly string[],
  lane: Lane,
  walked: Map<string, number> = new Map(),
): void {
  const target = laneIndex(lane);
  const todo = [...ids];
  for (let head = 0; head < todo.length; head++) {
    const id = todo[head]!;
    const reached = walked.get(id);
    if (reached !== undefined && reached <= target) continue;
    walked.set(id, target);
    const job = state.jobs.get(id);
    if (!job || job.state === "active" || FINISHED.has(job.state)) continue;
    todo.push(...job.prerequisites);
    if (laneIndex(job.lane) <= target) continue;
    const q = state.queue(job.queue);
    job.requestedLane ??= job.lane;
    state.count(q, job.state, job.lane, -1);
    if (job.state === "waiting") state.leaveLane(job);
    job.lane = LANES[target]!;
    state.count(q, job.state, job.lane, +1);
    if (job.state === "waiting") state.toWaiting(job, false);
  }
}
