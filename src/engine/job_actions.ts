/**
 * The engine's actions on one job and on queues that need more than one store call: a cancel
 * that announces itself, queue depth for every queue, the check that a queue exists, and the
 * limits of a queue's functions.
 *
 * @module
 */
import { errorForStatus, UnknownQueueError } from "../job/errors.ts";
import type { FunctionLimits } from "../job/limits.ts";
import { assertQueueName } from "../job/queue_name.ts";
import type { JobState } from "../job/states.ts";
import type { QueueCounts, Store, TransitionOutcome } from "../store/store.ts";
import { eventBase } from "../worker/job_events.ts";
import type { EngineParts } from "./parts.ts";

/** The state after a transition on job `id`, or the error its status means (`verb` names it). */
export function stateAfter(out: TransitionOutcome, id: string, verb: string): JobState {
  const error = errorForStatus(out.status, id, verb, out.state);
  if (error) throw error;
  return out.state!;
}

/** Cancels job `id` (see `Engine.cancel`); emits `cancelled` when it ended so at once. */
export async function cancelJob(parts: EngineParts, id: string): Promise<JobState> {
  const { store, events, clock } = parts;
  const out = await store.cancel(id);
  stateAfter(out, id, "cancel");
  if (out.state === "cancelled" && events.has("cancelled")) {
    const job = await store.getJob(id);
    if (job) events.emit("cancelled", eventBase(job, clock.now()));
  }
  return out.state!;
}

/** The depth of every queue, by name. */
export async function allCounts(store: Store): Promise<Record<string, QueueCounts>> {
  const all = await Promise.all((await store.queues()).map((name) => store.counts(name)));
  return Object.fromEntries(all.map((c) => [c.queue, c]));
}

/**
 * Throws `UnknownQueueError` for a queue that does not exist yet, unless `create` (queues are
 * never removed, so a typo would stay in the store for good).
 */
export async function requireQueue(
  store: Store,
  queue: string,
  action: string,
  create: boolean | undefined,
): Promise<void> {
  assertQueueName(queue, action);
  if (create) return;
  if (!(await store.queues()).includes(queue)) throw new UnknownQueueError(queue, action);
}

/** The limits of every function, or of those registered here whose jobs go to `queue`. */
export async function limitsOf(
  parts: EngineParts,
  queue?: string,
): Promise<Record<string, FunctionLimits>> {
  const all = await parts.store.functionLimits();
  if (queue === undefined) return all;
  return Object.fromEntries(
    Object.entries(all).filter(([name]) => parts.functions.get(name)?.queue === queue),
  );
}
