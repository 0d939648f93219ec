/**
 * The Redis store's recovery verbs: `reclaimExpired` (expired leases back to their lanes, or dead
 * after the last attempt), `reapDeadNodes` (the leader frees what dead nodes held) and
 * `promoteDue` (delayed jobs that fell due). Scripts: `lua/reclaim_expired.lua`,
 * `reap_dead_nodes.lua`, `promote_due.lua`.
 *
 * @module
 */
import type { StatusCode } from "../../job/status.ts";
import { toStatus } from "../../job/status.ts";
import { PROMOTE_BATCH, RECLAIM_BATCH, stalledError } from "../_shared.ts";
import type { LeaderLease, ReapOutcome } from "../cluster.ts";
import type { ReclaimOutcome } from "../store.ts";
import { num, text } from "./record.ts";
import type { ScriptHost } from "./script_host.ts";

/** The stalled error's JSON around its two numbers, for the scripts to fill in. */
const STALLED_PARTS: string[] = (() => {
  const json = JSON.stringify(stalledError(7_777_777, 8_888_888));
  const [head, rest] = json.split("7777777");
  const [middle, tail] = (rest ?? "").split("8888888");
  if (head === undefined || middle === undefined || tail === undefined) {
    throw new Error("RedisStore: cannot split the stalled error message");
  }
  return [head, middle, tail];
})();

/** `Store.reclaimExpired` on Redis. */
export async function reclaimExpired(
  h: ScriptHost,
  limit: number = RECLAIM_BATCH,
): Promise<ReclaimOutcome> {
  const args = [h.now(), h.opts, limit, ...STALLED_PARTS];
  const [requeued, dead] = await h.run("reclaimExpired", args) as unknown[][];
  return { requeued: (requeued ?? []).map(text), dead: (dead ?? []).map(text) };
}

/** `Store.promoteDue` on Redis. */
export async function promoteDue(
  h: ScriptHost,
  queues: readonly string[],
  limit: number = PROMOTE_BATCH,
): Promise<number> {
  if (queues.length === 0) return 0;
  return num(await h.run("promoteDue", [h.now(), limit, ...queues]));
}

/** `Store.reapDeadNodes` on Redis. */
export async function reapDeadNodes(
  h: ScriptHost,
  lease: LeaderLease,
): Promise<{ status: StatusCode; outcome: ReapOutcome }> {
  const args = [h.now(), h.opts, lease.token, lease.epoch, ...STALLED_PARTS];
  const [status, nodes, requeued, dead] = await h.run("reapDeadNodes", args) as [
    unknown,
    unknown[],
    unknown[],
    unknown[],
  ];
  return {
    status: toStatus(status),
    outcome: { nodes: nodes.map(text), requeued: requeued.map(text), dead: dead.map(text) },
  };
}
