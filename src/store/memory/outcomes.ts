/**
 * Attempt outcomes in the memory store: `complete`, `fail`, `release` and `extendLeases`, step
 * for step as `lua/complete.lua`, `lua/fail.lua`, `lua/release.lua` and `lua/extend_leases.lua`.
 *
 * @module
 */
import { Status, type StatusCode } from "../../job/status.ts";
import type { Completion, Failure, LeaseProof, Release, TransitionOutcome } from "../store.ts";
import type { JobState } from "../../job/states.ts";
import type { MemState } from "./mem_state.ts";
import type { MemJob } from "./mem_records.ts";
import { releaseUnique } from "./uniqueness.ts";
import { keepBytes } from "./kept_bytes.ts";

/** A prefetched job that ends without `start`: its attempt is spent, it counts as started. */
function startedNow(state: MemState, job: MemJob, now: number): void {
  job.attempts += 1;
  releaseUnique(state, job, "started", now);
}

/** Records completed attempts. */
export function complete(
  state: MemState,
  items: readonly Completion[],
  now: number,
): StatusCode[] {
  return items.map((item) => {
    const job = state.jobs.get(item.id);
    if (!job) return Status.NOT_FOUND;
    if (job.token !== item.token) return Status.LEASE_LOST;
    if (job.state === "completed") return Status.OK; // the same call, delivered twice
    if (job.state !== "active") return Status.LEASE_LOST;
    if (job.prefetched) startedNow(state, job, now); // completed without `start`
    state.leaveActive(job, now);
    state.observe.completed(job, job.attempts, job.startedAt, job.runAt, now);
    // a result whose job `finish` deletes at the end of this verb (retention 0, no dependent
    // pinning it) is never read
    const kept = state.keep("completed") !== 0 || job.pins > 0; // as `finish` decides
    job.result = item.result && (kept ? keepBytes(item.result) : null);
    state.finish(job, "completed", now);
    return Status.OK;
  });
}

/** Records failed attempts: cancelled, dead-lettered, or retried after `retryDelay`. */
export function fail(
  state: MemState,
  items: readonly Failure[],
  now: number,
): TransitionOutcome[] {
  return items.map((item): TransitionOutcome => {
    const job = state.jobs.get(item.id);
    if (!job) return { status: Status.NOT_FOUND };
    if (job.token !== item.token) return { status: Status.LEASE_LOST, state: job.state };
    if (job.state !== "active") return { status: Status.OK, state: job.state }; // delivered twice
    if (job.prefetched) startedNow(state, job, now);
    state.leaveActive(job, now);
    const outcome = job.cancelRequested ? "cancelled" : "failed";
    state.recordAttempt(job, outcome, job.attempts, item.error, now);
    job.error = item.error;
    const after: JobState = job.cancelRequested
      ? "cancelled"
      : item.retryDelay === null
      ? "dead"
      : item.retryDelay > 0
      ? "delayed"
      : "waiting";
    const retryAt = after === "delayed" ? now + item.retryDelay! : after === "waiting" ? now : null;
    state.observe.failed(
      job,
      job.attempts,
      job.startedAt,
      job.runAt,
      after,
      retryAt,
      item.error,
      now,
    );
    if (after === "cancelled" || after === "dead") {
      state.finish(job, after, now);
    } else if (after === "delayed") {
      state.toDelayed(job, retryAt!);
    } else {
      job.runAt = now;
      state.toWaiting(job, false);
    }
    return { status: Status.OK, state: job.state };
  });
}

/** Hands leased jobs back without spending their attempt. */
export function release(state: MemState, items: readonly Release[], now: number): StatusCode[] {
  return items.map((item) => {
    const job = state.jobs.get(item.id);
    if (!job) return Status.NOT_FOUND;
    if (job.token !== item.token) return Status.LEASE_LOST;
    if (job.state !== "active") return Status.OK; // delivered twice
    const unstarted = job.prefetched;
    state.leaveActive(job, now);
    if (!unstarted) {
      const outcome = job.cancelRequested ? "cancelled" : "released";
      state.recordAttempt(job, outcome, job.attempts, null, now);
      job.attempts -= 1;
      job.releases += 1;
    }
    if (job.cancelRequested) {
      state.observe.cancelled(job, now);
      state.finish(job, "cancelled", now);
    } else if (item.throttle !== undefined && item.throttle > 0) {
      state.limits.throttle(state, job, job.limitKey ?? job.name, now + item.throttle, now);
    } else if (item.delay !== undefined && item.delay > 0) {
      state.toDelayed(job, now + item.delay);
    } else {
      state.toWaiting(job, true);
    }
    return Status.OK;
  });
}

/** Renews leases until `now + leaseMs`. */
export function extendLeases(
  state: MemState,
  items: readonly LeaseProof[],
  leaseMs: number,
  now: number,
): StatusCode[] {
  return items.map((item) => {
    const job = state.jobs.get(item.id);
    if (!job) return Status.NOT_FOUND;
    if (job.state !== "active" || job.token !== item.token) return Status.LEASE_LOST;
    state.leases.set(job.id, now + leaseMs);
    return job.cancelRequested ? Status.CANCEL_REQUESTED : Status.OK;
  });
}
