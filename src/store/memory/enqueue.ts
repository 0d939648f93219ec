/**
 * Enqueue in the memory store, step for step as `lua/enqueue.lua`: a first pass decides every
 * item (an existing id, a unique key held by another job, an unknown prerequisite: the last two
 * may refuse the whole call before anything is stored), a second pass writes.
 *
 * @module
 */
import { prerequisiteFailedError } from "../../job/dependencies.ts";
import { DuplicateJobError, UnknownPrerequisiteError } from "../../job/enqueue_errors.ts";
import type { JobState } from "../../job/states.ts";
import type { EnqueueOutcome, GroupOutcome, NewJob } from "../store.ts";
import { addEdge, raise } from "./dependencies.ts";
import type { MemState } from "./mem_state.ts";
import type { MemJob } from "./mem_records.ts";
import { lockHolder, takeLock } from "./uniqueness.ts";
import { ownBytes } from "../../codec/byte_pool.ts";

/** What the first pass decided for one item. */
type Plan =
  | { kind: "create" }
  | { kind: "exists" }
  | { kind: "existing"; target: string }
  | { kind: "replace"; target: string };

/** The plans without a target, shared by every item they are decided for. */
const CREATE: Plan = Object.freeze({ kind: "create" });
const EXISTS: Plan = Object.freeze({ kind: "exists" });

const QUEUED: ReadonlySet<JobState> = new Set(["waiting", "delayed", "blocked"]);

/** Stores new jobs atomically, idempotent on ids, with unique keys and prerequisites. */
export function enqueue(state: MemState, jobs: readonly NewJob[], now: number): EnqueueOutcome[] {
  const { plans, alias } = decide(state, jobs, now);
  const walked = new Map<string, number>(); // raise()'s walks of this call
  return jobs.map((job, i): EnqueueOutcome => {
    const plan = plans[i]!;
    if (plan.kind === "exists") {
      return { id: job.id, created: false, state: stateOf(state, job.id) };
    }
    if (plan.kind === "existing") {
      return { id: plan.target, created: false, state: stateOf(state, plan.target) };
    }
    if (plan.kind === "replace") {
      const target = state.jobs.get(plan.target)!;
      if (QUEUED.has(target.state)) replace(state, target, job, now, walked);
      return { id: plan.target, created: false, state: target.state };
    }
    return { id: job.id, created: true, state: create(state, job, alias, now, walked).state };
  });
}

/** Stores one group of `enqueueGroups`: its outcomes, or its refusal (nothing of it stored). */
export function enqueueGroup(
  state: MemState,
  jobs: readonly NewJob[],
  now: number,
): GroupOutcome {
  try {
    return enqueue(state, jobs, now);
  } catch (error) {
    if (error instanceof DuplicateJobError || error instanceof UnknownPrerequisiteError) {
      return error;
    }
    throw error;
  }
}

function stateOf(state: MemState, id: string): JobState {
  return state.jobs.get(id)!.state;
}

/**
 * The first pass: decides every item, or throws before anything is stored. `alias` maps the id
 * of an item that a unique key sent to another job to that job (later items' prerequisites
 * follow it).
 */
function decide(
  state: MemState,
  jobs: readonly NewJob[],
  now: number,
): { plans: Plan[]; alias: Map<string, string> } {
  const claimed = new Map<string, string>(); // unique key -> id of the item of this call taking it
  const alias = new Map<string, string>();
  const creating = new Set<string>();
  const plans = jobs.map((job, i): Plan => {
    if (state.jobs.has(job.id) || creating.has(job.id)) return EXISTS;
    const lock = job.unique;
    if (lock) {
      const holder = claimed.get(lock.key) ?? lockHolder(state, lock.key, now)?.id;
      if (holder !== undefined) {
        const held = state.jobs.get(holder)?.state ?? "waiting";
        if (lock.onConflict === "reject") throw new DuplicateJobError(i, lock.key, holder, held);
        if (lock.onConflict === "replace" && !QUEUED.has(held)) {
          throw new DuplicateJobError(
            i,
            lock.key,
            holder,
            held,
            "only a queued job can be replaced",
          );
        }
        alias.set(job.id, holder);
        return { kind: lock.onConflict === "replace" ? "replace" : "existing", target: holder };
      }
      claimed.set(lock.key, job.id);
    }
    for (const p of job.dependsOn ?? []) {
      const id = alias.get(p) ?? p;
      if (!state.jobs.has(id) && !creating.has(id)) throw new UnknownPrerequisiteError(i, p);
    }
    creating.add(job.id);
    return CREATE;
  });
  return { plans, alias };
}

/** Creates one job: blocked on open prerequisites, dead at once on a failed one, or due. */
function create(
  state: MemState,
  job: NewJob,
  alias: ReadonlyMap<string, string>,
  now: number,
  walked: Map<string, number>,
): MemJob {
  const q = state.queue(job.queue);
  const due = job.runAt ?? now + (job.delay ?? 0);
  const record: MemJob = {
    id: job.id,
    name: job.name,
    queue: job.queue,
    lane: job.lane,
    state: "waiting",
    payload: ownBytes(job.payload), // kept: not a view on a pooled slab (see byte_pool.ts)
    attempts: 0,
    maxAttempts: job.maxAttempts,
    stalls: 0,
    releases: 0,
    enqueuedAt: now,
    runAt: due > now ? due : now,
    startedAt: null,
    finishedAt: null,
    result: null,
    error: null,
    worker: null,
    cancelRequested: false,
    history: [],
    backoff: job.backoff ?? null,
    prerequisites: [],
    openPrerequisites: 0,
    onPrerequisiteFailure: job.onPrerequisiteFailure ?? "fail",
    requestedLane: null,
    uniqueKey: job.unique?.key ?? null,
    uniqueScope: job.unique?.scope ?? null,
    throttledBy: null,
    limitKey: job.limitKey ?? null,
    countsAgainst: false,
    progress: null,
    token: null,
    prefetched: false,
    pins: 0,
    pinned: false,
    lanePos: -1,
  };
  state.jobs.set(job.id, record);
  if (job.unique) takeLock(state, job.unique, job.id, now);
  let open = 0;
  let failed: MemJob | null = null;
  for (const id of job.dependsOn ?? []) {
    const p = state.jobs.get(alias.get(id) ?? id)!;
    if (record.prerequisites.includes(p.id)) continue; // two items that resolved to one job
    record.prerequisites.push(p.id);
    if (!addEdge(state, p, record)) continue;
    if (
      (p.state === "dead" || p.state === "cancelled") && record.onPrerequisiteFailure === "fail"
    ) {
      failed ??= p;
    } else {
      open++;
    }
  }
  if (failed) {
    record.error = prerequisiteFailedError(failed.id, failed.state);
    state.observe.event("enqueued", record, now, { state: "dead", runAt: now });
    state.observe.failed(record, 0, null, now, "dead", null, record.error, now);
    state.finish(record, "dead", now);
    return record;
  }
  if (open > 0) {
    record.state = "blocked";
    record.openPrerequisites = open;
    q.blocked.set(job.id, now);
    state.count(q, "blocked", record.lane, +1);
  } else if (due > now) {
    state.toDelayed(record, due);
  } else {
    state.toWaiting(record, false);
  }
  raise(state, record.prerequisites, record.lane, walked);
  state.observe.event("enqueued", record, now, {
    state: record.state,
    runAt: due > now ? due : now,
  });
  return record;
}

/**
 * Replaces the payload and options of a queued job with those of `job`; a lane it changes makes
 * the call's earlier priority walks (`walked`) prove nothing, so they are forgotten.
 */
function replace(
  state: MemState,
  target: MemJob,
  job: NewJob,
  now: number,
  walked: Map<string, number>,
): void {
  const q = state.queue(target.queue);
  target.payload = ownBytes(job.payload);
  target.maxAttempts = job.maxAttempts;
  target.backoff = job.backoff ?? null;
  target.limitKey = job.limitKey ?? null;
  if (target.throttledBy !== null && target.throttledBy !== target.limitKey) {
    state.leaveLane(target); // parked on a key it no longer has: back in its lane
    state.toWaiting(target, true);
  }
  if (target.lane !== job.lane) {
    state.count(q, target.state, target.lane, -1);
    if (target.state === "waiting") state.leaveLane(target);
    target.lane = job.lane;
    target.requestedLane = null;
    state.count(q, target.state, target.lane, +1);
    if (target.state === "waiting") state.toWaiting(target, false);
    walked.clear();
  }
  const due = job.runAt ?? now + (job.delay ?? 0);
  if (target.state === "blocked") {
    target.runAt = due > now ? due : target.enqueuedAt;
  } else if (due > now) {
    if (target.state === "waiting") state.leaveLane(target);
    else state.count(q, "delayed", target.lane, -1);
    state.toDelayed(target, due);
  } else if (target.state === "delayed") {
    q.delayed.delete(target.id);
    state.count(q, "delayed", target.lane, -1);
    target.runAt = now;
    state.toWaiting(target, false);
  }
}
