/**
 * `reschedule` in the memory store, step for step as `lua/reschedule.lua`.
 *
 * @module
 */
import { Status } from "../../job/status.ts";
import type { TransitionOutcome } from "../store.ts";
import type { MemState } from "./mem_state.ts";

/** Moves the due time of a waiting, delayed or blocked job (see `Store.reschedule`). */
export function reschedule(
  state: MemState,
  id: string,
  due: { runAt: number } | { delay: number },
  now: number,
): TransitionOutcome {
  const job = state.jobs.get(id);
  if (!job) return { status: Status.NOT_FOUND };
  const at = "runAt" in due ? due.runAt : now + due.delay;
  if (job.state === "blocked") {
    job.runAt = at > now ? at : job.enqueuedAt;
    return { status: Status.OK, state: "blocked" };
  }
  if (job.state !== "waiting" && job.state !== "delayed") {
    return { status: Status.WRONG_STATE, state: job.state };
  }
  const q = state.queue(job.queue);
  if (job.state === "delayed") {
    q.delayed.delete(id);
    state.count(q, "delayed", job.lane, -1);
  } else if (at > now) {
    state.leaveLane(job);
  }
  if (at > now) {
    state.toDelayed(job, at);
    state.wake(job.queue);
  } else if (job.state === "delayed") {
    job.runAt = now;
    state.toWaiting(job, false);
  }
  return { status: Status.OK, state: job.state };
}
