/**
 * The Redis store's verbs on single jobs and on queues: `changePriority`, `reschedule`, `cancel`,
 * reading jobs (`getJobs`, `dependents`, `listJobs`, `counts`), the dead letters (`listDead`,
 * `requeueDead`, `purgeDead`, see `lua/_dead_letters.lua`) and pausing. One script each.
 *
 * @module
 */
import type { JobRecord } from "../../job/job.ts";
import { type Lane, laneIndex } from "../../job/lanes.ts";
import { checkIds, dependentsPage, parsePage } from "../_shared.ts";
import {
  DEAD_SCAN_BUDGET,
  DEFAULT_DEAD_BATCH,
  DEFAULT_DEAD_PAGE,
  resolveDeadQuery,
} from "../dead_letters.ts";
import type {
  DeadLetterBatch,
  DeadLetterQuery,
  JobListQuery,
  JobPage,
  QueueCounts,
  TransitionOutcome,
} from "../store.ts";
import { STATE_LETTERS } from "./job_fields.ts";
import { decodeCounts, decodeJob, num, outcome, pairs, text } from "./record.ts";
import type { ScriptHost } from "./script_host.ts";
import type { ScriptArg } from "./scripts.ts";

/** `Store.changePriority` on Redis. */
export async function changePriority(
  h: ScriptHost,
  id: string,
  lane: Lane,
): Promise<TransitionOutcome> {
  const [status, state] = await h.run("changePriority", [id, laneIndex(lane)]) as unknown[];
  return outcome(status, state);
}

/** `Store.reschedule` on Redis. */
export async function reschedule(
  h: ScriptHost,
  id: string,
  due: { runAt: number } | { delay: number },
): Promise<TransitionOutcome> {
  const at = "runAt" in due ? [due.runAt, ""] : ["", due.delay];
  const args = [h.now(), id, ...at];
  const [status, state] = await h.run("reschedule", args) as unknown[];
  return outcome(status, state);
}

/** `Store.cancel` on Redis. */
export async function cancel(h: ScriptHost, id: string): Promise<TransitionOutcome> {
  const args = [h.now(), h.opts, id];
  const [status, state] = await h.run("cancel", args) as unknown[];
  return outcome(status, state);
}

/** `Store.getJobs` on Redis. */
export async function getJobs(
  h: ScriptHost,
  ids: readonly string[],
): Promise<(JobRecord | null)[]> {
  checkIds(ids);
  if (ids.length === 0) return [];
  const reply = await h.run("getJobs", [...ids]) as unknown[];
  return ids.map((id, i) => {
    const deadline = text(reply[3 * i + 1]);
    const lease = deadline === "" ? null : Number(deadline);
    return decodeJob(id, pairs(reply[3 * i]), lease, num(reply[3 * i + 2]));
  });
}

/** `Store.dependents` on Redis. */
export async function dependents(
  h: ScriptHost,
  id: string,
  page: { offset?: number; limit?: number },
): Promise<string[]> {
  const { offset, limit } = dependentsPage(page);
  return (await h.run("dependents", [id, offset, limit]) as unknown[]).map(text);
}

/** `Store.listJobs` on Redis. */
export async function listJobs(h: ScriptHost, query: JobListQuery): Promise<JobPage> {
  const { offset, limit } = parsePage(query);
  const lane = query.lane === undefined ? "" : laneIndex(query.lane);
  const args = [query.queue, STATE_LETTERS[query.state] ?? "", lane, offset, limit];
  const reply = await h.run("listJobs", args) as unknown[];
  const jobs: JobRecord[] = [];
  for (let i = 1; i + 3 < reply.length; i += 4) {
    const deadline = text(reply[i + 2]);
    const lease = deadline ? Number(deadline) : null;
    const job = decodeJob(text(reply[i]), pairs(reply[i + 1]), lease, num(reply[i + 3]));
    if (job) jobs.push(job);
  }
  return { jobs, nextCursor: num(reply[0]) === 1 ? String(offset + limit) : null };
}

/** `Store.counts` on Redis. */
export async function counts(h: ScriptHost, queue: string): Promise<QueueCounts> {
  return decodeCounts(queue, await h.run("counts", [queue]));
}

/** `Store.pause` (`paused` true) and `Store.resume` on Redis. */
export async function setPaused(h: ScriptHost, queue: string, paused: boolean): Promise<void> {
  await h.run("setPaused", [queue, paused ? "1" : "0"]);
}

/** `Store.listDead` on Redis. */
export async function listDead(h: ScriptHost, query: DeadLetterQuery): Promise<JobPage> {
  const reply = await dead(h, "listDead", query, DEFAULT_DEAD_PAGE);
  const jobs: JobRecord[] = [];
  for (let i = 1; i + 2 < reply.length; i += 3) {
    const job = decodeJob(text(reply[i]), pairs(reply[i + 1]), null, num(reply[i + 2]));
    if (job) jobs.push(job);
  }
  return { jobs, nextCursor: text(reply[0]) || null };
}

/** `Store.requeueDead` (`script` "requeueDead") or `Store.purgeDead` on Redis. */
export async function batchDead(
  h: ScriptHost,
  script: "requeueDead" | "purgeDead",
  query: DeadLetterQuery,
): Promise<DeadLetterBatch> {
  const [cursor, ...ids] = await dead(h, script, query, DEFAULT_DEAD_BATCH);
  return { ids: ids.map(text), nextCursor: text(cursor) || null };
}

/** Runs a dead-letter script with the filter of `query` (see `lua/_dead_letters.lua`). */
async function dead(
  h: ScriptHost,
  script: "listDead" | "requeueDead" | "purgeDead",
  query: DeadLetterQuery,
  defaultLimit: number,
): Promise<unknown[]> {
  const q = resolveDeadQuery(query, defaultLimit, script);
  const args: ScriptArg[] = [h.now(), h.opts, q.queue, q.name, q.errorContains];
  args.push(q.after ?? "", q.before ?? "", q.cursor?.score ?? "", q.cursor?.id ?? "");
  args.push(q.limit, DEAD_SCAN_BUDGET, ...(q.ids ?? []));
  return await h.run(script, args) as unknown[];
}
