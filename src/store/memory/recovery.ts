/**
 * Recovering the jobs of lost leases in the memory store: `reclaimExpired` and `reapDeadNodes`,
 * both through `stall`, step for step as `stall()` in `lua/_jobs.lua`,
 * `lua/reclaim_expired.lua` and `lua/reap_dead_nodes.lua`.
 *
 * @module
 */
import type { ReapOutcome } from "../cluster.ts";
import { STALLED_RETRIED, stalledError } from "../_shared.ts";
import type { JobState } from "../../job/states.ts";
import type { ReclaimOutcome } from "../store.ts";
import type { MemState } from "./mem_state.ts";
import type { MemJob } from "./mem_records.ts";

/**
 * Handles an active job whose lease is void (it expired, or its node died). Unstarted
 * (prefetched): back at the front of its lane, nothing spent. Started: stalls + 1, the attempt
 * recorded; cancellation requested => cancelled; last attempt => dead with the stalled error;
 * else back at the front of its lane with its token cleared. True when it went back to its lane.
 */
export function stall(state: MemState, job: MemJob, now: number): boolean {
  const unstarted = job.prefetched;
  state.leaveActive(job, now);
  if (unstarted) {
    job.token = null;
    state.toWaiting(job, true);
    return true;
  }
  job.stalls += 1;
  const observe = (after: JobState, retryAt: number | null, error: string) =>
    state.observe.failed(job, job.attempts, job.startedAt, job.runAt, after, retryAt, error, now);
  if (job.cancelRequested) {
    state.recordAttempt(job, "cancelled", job.attempts, null, now);
    observe("cancelled", null, STALLED_RETRIED);
    state.finish(job, "cancelled", now);
    return false;
  }
  if (job.attempts >= job.maxAttempts) {
    job.error = JSON.stringify(stalledError(job.attempts, job.maxAttempts));
    state.recordAttempt(job, "stalled", job.attempts, job.error, now);
    observe("dead", null, job.error);
    state.finish(job, "dead", now);
    return false;
  }
  state.recordAttempt(job, "stalled", job.attempts, null, now);
  observe("waiting", now, STALLED_RETRIED);
  job.token = null; // the lease is gone: its holder's later calls are refused
  state.toWaiting(job, true);
  return true;
}

/** Handles up to `limit` jobs whose lease deadline passed, in (deadline, id) order. */
export function reclaimExpired(state: MemState, now: number, limit: number): ReclaimOutcome {
  const out: ReclaimOutcome = { requeued: [], dead: [] };
  while (out.requeued.length + out.dead.length < limit) {
    const top = state.leases.peek();
    if (!top || top.score > now) break;
    const job = state.jobs.get(top.id)!;
    (stall(state, job, now) ? out.requeued : out.dead).push(job.id);
  }
  return out;
}

/**
 * Reclaims every job held by the nodes in `dead` (in that order, each node's jobs by id) and
 * forgets those nodes' holdings; the caller removes their records.
 */
export function reapHoldings(state: MemState, dead: readonly string[], now: number): ReapOutcome {
  const outcome: ReapOutcome = { nodes: [...dead], requeued: [], dead: [] };
  for (const node of dead) {
    const held = [...state.held.get(node) ?? []].sort();
    for (const id of held) {
      const job = state.jobs.get(id)!;
      (stall(state, job, now) ? outcome.requeued : outcome.dead).push(id);
    }
    state.held.delete(node);
  }
  return outcome;
}
