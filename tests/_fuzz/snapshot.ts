/**
 * The observable state of one store, read through its own verbs: every job the trace can name,
 * and per queue its counts, its jobs per state (in listing order), its dead-letter listing and
 * lane configuration; the nodes, the leader and the next due time. Equal stores give equal
 * snapshots.
 *
 * @module
 */
import { JOB_STATES } from "../../src/job/states.ts";
import type { Store } from "../../src/store/store.ts";
import { plain } from "./compare.ts";
import { FORGED_ID } from "./handles.ts";
import { JOB_IDS, QUEUES, UNKNOWN_ID, UNKNOWN_QUEUE } from "./universe.ts";

/** Reads the state of `store` as plain, comparable data. */
export async function snapshot(store: Store): Promise<unknown> {
  const known = await store.queues();
  const jobs: Record<string, unknown> = {};
  for (const id of [...JOB_IDS, UNKNOWN_ID, FORGED_ID]) jobs[id] = await store.getJob(id);
  const queues: Record<string, unknown> = {};
  for (const queue of [...new Set([...QUEUES, UNKNOWN_QUEUE, ...known])].sort()) {
    const lists: Record<string, string[]> = {};
    for (const state of JOB_STATES) {
      const page = await store.listJobs({ queue, state, limit: 1_000 });
      lists[state] = page.jobs.map((job) => job.id);
    }
    queues[queue] = {
      counts: await store.counts(queue),
      lists,
      dead: (await store.listDead({ queue, limit: 1_000 })).jobs.map((job) => job.id),
      config: await store.getLaneConfig(queue),
    };
  }
  return plain({
    known,
    jobs,
    queues,
    nodes: await store.listNodes(),
    leader: await store.getLeader(),
    idleWait: await store.idleWait(QUEUES, "w1"),
    limits: await store.functionLimits(),
  });
}
