/**
 * Dispatch in the memory store: `reserve`, `start` and `steal`, step for step as
 * `lua/reserve.lua`, `lua/start.lua` and `lua/steal.lua` do it.
 *
 * @module
 */
import type { Reservation } from "../../job/job.ts";
import { LANES } from "../../job/lanes.ts";
import { Status, type StatusCode } from "../../job/status.ts";
import { advance, chooseLane, type LaneHead } from "../../schedule/lane_picker.ts";
import { FIRST_LOWER_LANE, PROMOTE_BATCH, reserveShape, reservesNothing } from "../_shared.ts";
import type { IdleWait, LeaseProof, ReserveRequest, StealRequest } from "../store.ts";
import type { MemState } from "./mem_state.ts";
import type { MemJob, MemQueue } from "./mem_records.ts";
import { releaseUnique } from "./uniqueness.ts";

/** A lane's head job as the lane picker sees it, and the job itself. */
interface JobHead extends LaneHead {
  job: MemJob;
}

/** The reservation of `job`, leased under `token` until `deadline`. */
function reservation(
  job: MemJob,
  attempt: number,
  token: string,
  deadline: number,
  now: number,
  started: boolean,
): Reservation {
  return {
    id: job.id,
    name: job.name,
    queue: job.queue,
    lane: job.lane,
    payload: job.payload,
    attempt,
    maxAttempts: job.maxAttempts,
    stalls: job.stalls,
    releases: job.releases,
    enqueuedAt: job.enqueuedAt,
    runAt: job.runAt,
    startedAt: now,
    token,
    leaseDeadline: deadline,
    started,
    backoff: job.backoff,
    prerequisites: job.prerequisites.length === 0 ? [] : [...job.prerequisites],
  };
}

/**
 * The reply of a reserve or steal delivered again (the same `callId` as the worker's latest
 * call): the leases that call made and the worker still holds, as `replay_leases` in
 * `lua/_lease_reply.lua` rebuilds them; undefined for a new call.
 */
export function replayed(
  state: MemState,
  request: ReserveRequest | StealRequest,
): Reservation[] | undefined {
  const tokenBase = request.callId;
  if (tokenBase === undefined || state.calls.get(request.worker) !== tokenBase) return undefined;
  const prefix = `${tokenBase}.`;
  const picks = [...state.held.get(request.worker) ?? []].sort(byteOrder).flatMap((id) => {
    const job = state.jobs.get(id)!;
    return job.token?.startsWith(prefix)
      ? [{ n: Number(job.token.slice(prefix.length)), job }]
      : [];
  });
  picks.sort((a, b) => a.n - b.n);
  return picks.map(({ job }) => {
    const started = !job.prefetched;
    const attempt = started ? job.attempts : job.attempts + 1;
    const deadline = state.leases.score(job.id)!;
    return reservation(job, attempt, job.token!, deadline, job.startedAt!, started);
  });
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Leases jobs as `reserve.lua` does: promote, unpark the jobs of limits that opened, a started
 * pass, then a prefetch pass (jobs held by a limit are parked on it; limited jobs are never
 * prefetched).
 */
export function reserve(state: MemState, request: ReserveRequest, now: number): Reservation[] {
  const shape = reserveShape(request);
  const { started: startedWant, prefetch, lanes, lowerLimit } = shape;
  const queues = [...new Set(request.queues)];
  const out: Reservation[] = [];
  if (reservesNothing(shape, queues.length)) return out;
  const tokenBase = state.newCall(request.callId);
  const promoteLimit = Math.max(PROMOTE_BATCH, startedWant + prefetch);
  for (const name of queues) state.promote(name, now, promoteLimit);
  state.limits.unpark(state, now);
  const allowed = LANES.map((_, i) => lanes?.includes(i) ?? true);
  const deadline = now + request.leaseMs;
  let lowerTaken = 0;

  /** Leases `job` as the next job of the call, counting it against its limit keys. */
  const take = (q: MemQueue, job: MemJob, started: boolean): void => {
    if (job.limitKey !== null) job.countsAgainst = state.limits.take(job.limitKey, job.name, now);
    if (q.config.rateLimit) state.limits.take(`@${job.queue}`, null, now, q.config.rateLimit);
    const attempt = job.attempts + 1;
    const token = `${tokenBase}.${out.length}`;
    state.lease(job, request.worker, token, deadline, now);
    state.count(q, "active", job.lane, +1);
    if (started) {
      job.attempts = attempt;
      releaseUnique(state, job, "started", now);
      state.observe.event("active", job, now, {
        attempt,
        worker: request.worker,
        waitMs: now - job.runAt,
      });
    } else {
      job.prefetched = true;
      state.prefetched.add(request.worker, job.queue, job.id);
    }
    out.push(reservation(job, attempt, token, deadline, now, started));
  };

  /** The head of lane `i` of `q` for the lane picker, with its job (looked up once). */
  const headOf = (q: MemQueue, i: number): JobHead | undefined => {
    if (!allowed[i]) return undefined;
    const job = q.lanes[i]!.head();
    return job && { since: job.runAt, id: job.id, job };
  };
  const pass = (upto: number, started: boolean): void => {
    for (const name of queues) {
      if (out.length >= upto) return;
      const q = state.queues.get(name);
      if (!q || q.paused) continue;
      const heads = q.lanes.map((_, i) => headOf(q, i));
      const queueKey = `@${name}`;
      const queueRate = q.config.rateLimit;
      while (out.length < upto) {
        const capped = started && lowerLimit !== null && lowerTaken >= lowerLimit;
        const view = capped ? heads.map((h, i) => i < FIRST_LOWER_LANE ? h : undefined) : heads;
        const choice = chooseLane(q.picker, view, q.config, now);
        const li = choice.lane;
        if (li < 0) break;
        if (queueRate && state.limits.queueFull(queueKey, queueRate, now)) {
          state.limits.queueWaits(queueKey); // the queue's own window is full
          break;
        }
        const job = heads[li]!.job;
        if (!started && (queueRate || job.limitKey !== null)) {
          heads[li] = undefined; // a limit counts starts: its jobs are not prefetched
          continue;
        }
        q.lanes[li]!.shift();
        const blocked = state.limits.blocking(job, now);
        if (blocked !== null) {
          state.limits.park(state, job, blocked, now); // set aside: the lane goes on
        } else {
          advance(q.picker, choice, q.config);
          if (started && li >= FIRST_LOWER_LANE) lowerTaken++;
          take(q, job, started);
        }
        heads[li] = headOf(q, li);
      }
    }
  };
  pass(startedWant, true);
  pass(out.length + prefetch, false);
  state.limits.settle(state, now);
  if (out.length > 0) state.rememberCall(request.worker, tokenBase);
  return out;
}

/** Marks prefetched jobs started and charges their attempt, as `start.lua` does. */
export function start(state: MemState, items: readonly LeaseProof[], now: number): StatusCode[] {
  return items.map((item) => {
    const job = state.jobs.get(item.id);
    if (!job) return Status.NOT_FOUND;
    if (job.state !== "active" || job.token !== item.token) return Status.LEASE_LOST;
    if (job.prefetched) {
      state.unprefetch(job);
      job.startedAt = now;
      job.attempts += 1;
      releaseUnique(state, job, "started", now);
      state.observe.event("active", job, now, {
        attempt: job.attempts,
        worker: job.worker!,
        waitMs: now - job.runAt,
      });
    }
    return Status.OK;
  });
}

/** Takes prefetched jobs from the busiest other node, as `steal.lua` does. */
export function steal(state: MemState, request: StealRequest, now: number): Reservation[] {
  if (request.count <= 0 || request.queues.length === 0) return [];
  const tokenBase = state.newCall(request.callId);
  const queues = [...new Set(request.queues)];
  const victim = state.prefetched.busiest(request.worker, queues);
  if (!victim) return [];
  state.rememberCall(request.worker, tokenBase);
  const take = Math.min(request.count, Math.ceil(victim.count / 2));
  const deadline = now + request.leaseMs;
  return state.prefetched.take(victim.node, queues, take).map(({ id }, n) => {
    const job = state.jobs.get(id)!;
    job.prefetched = false;
    state.leaveHeld(job);
    const token = `${tokenBase}.${n}`;
    job.attempts += 1;
    state.lease(job, request.worker, token, deadline, now);
    releaseUnique(state, job, "started", now);
    state.observe.event("active", job, now, {
      attempt: job.attempts,
      worker: request.worker,
      waitMs: now - job.runAt,
    });
    return reservation(job, job.attempts, token, deadline, now, true);
  });
}

/**
 * Whether a reserve that leased `jobs` answers the idle wait (`ReserveRequest.onIdle`): it was
 * asked to, looked, and started fewer than `count` (started jobs come first in `jobs`).
 */
export function answersIdle(request: ReserveRequest, jobs: readonly Reservation[]): boolean {
  if (!request.onIdle || reservesNothing(reserveShape(request), request.queues.length)) {
    return false;
  }
  let started = 0;
  while (started < jobs.length && jobs[started]!.started) started++;
  return started < request.count;
}

/**
 * What an idle node needs to sleep (`Store.idleWait`): when the earliest delayed job of `queues`
 * is due or a limit holding parked jobs opens, and whether a node other than `worker` holds
 * prefetched jobs.
 */
export function idleWaitOf(
  state: MemState,
  queues: readonly string[],
  worker: string,
  now: number,
): IdleWait {
  const stealable = state.prefetched.holders().some((node) => node !== worker);
  let next: number | null = null;
  for (const name of queues) {
    const top = state.queues.get(name)?.delayed.peek();
    if (top && (next === null || top.score < next)) next = top.score;
  }
  const open = state.limits.opens.peek()?.score ?? Infinity; // reserve opens every queue's
  if (open !== Infinity && (next === null || open < next)) next = open;
  return { dueIn: next === null ? null : Math.max(next - now, 0), stealable };
}
