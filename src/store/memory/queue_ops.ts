/**
 * The memory store's verbs on jobs and queues outside dispatch: `enqueue`, `cancel`,
 * `changePriority`, reads (`getJob`, `listJobs`, `counts`) and the dead-letter queue, step for
 * step as the Redis scripts of the same names.
 *
 * @module
 */
import { withCompletion } from "../../job/attempt_history.ts";
import type { JobRecord } from "../../job/job.ts";
import { type Lane, laneIndex, LANES } from "../../job/lanes.ts";
import { JOB_STATES, type JobState } from "../../job/states.ts";
import { Status } from "../../job/status.ts";
import { dependentsPage, parsePage } from "../_shared.ts";
import { raise } from "./dependencies.ts";
import {
  DEFAULT_DEAD_BATCH,
  DEFAULT_DEAD_PAGE,
  matchesDead,
  resolveDeadQuery,
  scanDead,
} from "../dead_letters.ts";
import type {
  DeadLetterBatch,
  DeadLetterQuery,
  JobListQuery,
  JobPage,
  QueueCounts,
  TransitionOutcome,
} from "../store.ts";
import type { MemState } from "./mem_state.ts";
import type { MemJob, MemQueue } from "./mem_records.ts";
import { keptBytes } from "./kept_bytes.ts";

/** Cancels a job, as `cancel.lua` does. */
export function cancel(state: MemState, id: string, now: number): TransitionOutcome {
  const job = state.jobs.get(id);
  if (!job) return { status: Status.NOT_FOUND };
  const q = state.queue(job.queue);
  switch (job.state) {
    case "active":
      job.cancelRequested = true;
      for (const listener of state.cancelListeners.get(job.worker!) ?? []) {
        queueMicrotask(() => listener(id));
      }
      return { status: Status.CANCEL_REQUESTED, state: "active" };
    case "cancelled":
      return { status: Status.OK, state: "cancelled" };
    case "waiting":
      state.leaveLane(job);
      break;
    case "delayed":
      q.delayed.delete(id);
      state.count(q, "delayed", job.lane, -1);
      break;
    case "blocked":
      q.blocked.delete(id);
      state.count(q, "blocked", job.lane, -1);
      job.openPrerequisites = 0;
      break;
    default:
      return { status: Status.WRONG_STATE, state: job.state };
  }
  state.observe.cancelled(job, now);
  state.finish(job, "cancelled", now);
  return { status: Status.OK, state: "cancelled" };
}

/**
 * Moves a waiting (to the back), delayed or blocked job to another lane; a blocked job raises
 * its open prerequisites to a higher lane (priority inheritance).
 */
export function changePriority(state: MemState, id: string, lane: Lane): TransitionOutcome {
  const job = state.jobs.get(id);
  if (!job) return { status: Status.NOT_FOUND };
  if (job.state !== "waiting" && job.state !== "delayed" && job.state !== "blocked") {
    return { status: Status.WRONG_STATE, state: job.state };
  }
  if (job.lane !== lane) {
    const q = state.queue(job.queue);
    state.count(q, job.state, job.lane, -1);
    if (job.state === "waiting") state.leaveLane(job);
    job.lane = lane;
    job.requestedLane = null;
    if (job.state === "waiting") state.toWaiting(job, false);
    state.count(q, job.state, lane, +1);
  }
  if (job.state === "blocked") raise(state, job.prerequisites, lane);
  return { status: Status.OK, state: job.state };
}

/** A job as `getJob` returns it. */
export function publicRecord(state: MemState, job: MemJob): JobRecord {
  const {
    token: _token,
    prefetched: _pf,
    history,
    uniqueScope: _scope,
    pins: _pins,
    pinned: _pinned,
    limitKey: _limitKey,
    countsAgainst: _counts,
    lanePos: _lanePos,
    ...fields
  } = job;
  const record: JobRecord = {
    ...fields,
    result: job.result === null ? null : keptBytes(job.result),
    prerequisites: [...job.prerequisites],
    dependents: state.dependents.get(job.id)?.length ?? 0,
    leaseDeadline: job.state === "active" ? state.leases.score(job.id) ?? null : null,
    history: [],
  };
  record.history = withCompletion(structuredClone(history), record);
  return record;
}

/** One job, or null. */
export function getJob(state: MemState, id: string): JobRecord | null {
  const job = state.jobs.get(id);
  return job ? publicRecord(state, job) : null;
}

/** A page of the dependents of job `id`, in enqueue order. */
export function dependents(
  state: MemState,
  id: string,
  page: { offset?: number; limit?: number },
): string[] {
  const { offset, limit } = dependentsPage(page);
  return (state.dependents.get(id) ?? []).slice(offset, offset + limit);
}

/** One page of a queue's jobs in one state, as `list_jobs.lua` orders them. */
export function listJobs(state: MemState, query: JobListQuery): JobPage {
  const { offset, limit } = parsePage(query);
  const q = state.queues.get(query.queue);
  if (!q) return { jobs: [], nextCursor: null };
  let ids: string[];
  if (query.state === "waiting") {
    const lanes = query.lane ? [laneIndex(query.lane)] : LANES.map((_, i) => i);
    ids = lanes.flatMap((i) => q.lanes[i]!.slice(0, Infinity).map((job) => job.id));
    const parked = q.parked.sorted().map((e) => e.id); // then those a limit set aside
    ids.push(...parked.filter((id) => !query.lane || state.jobs.get(id)!.lane === query.lane));
  } else {
    ids = indexOf(state, q, query.state);
    if (query.lane) ids = ids.filter((id) => state.jobs.get(id)!.lane === query.lane);
  }
  const page = ids.slice(offset, offset + limit);
  return {
    jobs: page.map((id) => publicRecord(state, state.jobs.get(id)!)),
    nextCursor: offset + limit < ids.length ? String(offset + limit) : null,
  };
}

/** The ids of a queue's jobs in a state that is not waiting, in index order. */
function indexOf(state: MemState, q: MemQueue, wanted: JobState): string[] {
  switch (wanted) {
    case "delayed":
      return q.delayed.sorted().map((e) => e.id);
    case "active":
      return state.leases.sorted().map((e) => e.id).filter((id) =>
        state.queues.get(state.jobs.get(id)!.queue) === q
      );
    case "completed":
    case "dead":
    case "cancelled":
      return q.finished[wanted].sorted().map((e) => e.id);
    case "blocked":
      return q.blocked.sorted().map((e) => e.id);
    default:
      return [];
  }
}

/** Depth of a queue per lane and state. */
export function counts(state: MemState, queue: string): QueueCounts {
  const q = state.queues.get(queue);
  const states = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  const lanes = Object.fromEntries(
    LANES.map((lane) => [lane, { ...states }]),
  ) as Record<Lane, Record<JobState, number>>;
  if (q) {
    for (const s of JOB_STATES) {
      LANES.forEach((lane, i) => {
        const n = s === "waiting" ? q.lanes[i]!.size + q.throttled[i]! : q.counts[s][i]!;
        lanes[lane][s] = n;
        states[s] += n;
      });
    }
  }
  const throttled = q?.throttled.reduce((a, b) => a + b, 0) ?? 0;
  return { queue, paused: q?.paused ?? false, states, lanes, throttled };
}

/** Runs `visit` on the dead jobs `query` selects (see `scanDead`); returns the next cursor. */
function scan(
  state: MemState,
  query: DeadLetterQuery,
  defaultLimit: number,
  verb: string,
  visit: (job: MemJob, q: MemQueue) => void,
): string | null {
  const resolved = resolveDeadQuery(query, defaultLimit, verb);
  const q = state.queues.get(resolved.queue);
  if (!q) return null;
  if (resolved.ids) {
    for (const id of new Set(resolved.ids)) { // an id given twice is visited once, as in Lua
      const job = state.jobs.get(id);
      if (job?.state === "dead" && job.queue === resolved.queue && matchesDead(job, resolved)) {
        visit(job, q);
      }
    }
    return null;
  }
  const jobOf = (id: string): MemJob => state.jobs.get(id)!;
  return scanDead(q.finished.dead.sorted(), resolved, jobOf, (id) => visit(jobOf(id), q));
}

/** Lists dead jobs matching `query`. */
export function listDead(state: MemState, query: DeadLetterQuery): JobPage {
  const jobs: JobRecord[] = [];
  const nextCursor = scan(state, query, DEFAULT_DEAD_PAGE, "listDead", (job) => {
    jobs.push(publicRecord(state, job));
  });
  return { jobs, nextCursor };
}

/** Requeues dead jobs matching `query` at the back of their lanes, counters reset. */
export function requeueDead(state: MemState, query: DeadLetterQuery, now: number): DeadLetterBatch {
  const ids: string[] = [];
  const nextCursor = scan(state, query, DEFAULT_DEAD_BATCH, "requeueDead", (job, q) => {
    q.finished.dead.delete(job.id);
    state.count(q, "dead", job.lane, -1);
    Object.assign(job, { attempts: 0, stalls: 0, releases: 0, runAt: now, finishedAt: null });
    Object.assign(job, { token: null, cancelRequested: false, openPrerequisites: 0 });
    state.toWaiting(job, false);
    state.observe.requeued(job, now);
    ids.push(job.id);
  });
  return { ids, nextCursor };
}

/** Deletes dead jobs matching `query`. */
export function purgeDead(state: MemState, query: DeadLetterQuery): DeadLetterBatch {
  const ids: string[] = [];
  const nextCursor = scan(state, query, DEFAULT_DEAD_BATCH, "purgeDead", (job, q) => {
    q.finished.dead.delete(job.id);
    state.count(q, "dead", job.lane, -1);
    state.forget(job.id);
    ids.push(job.id);
  });
  return { ids, nextCursor };
}
