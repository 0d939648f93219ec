/**
 * The Redis store's cluster verbs: node records (`registerNode`, `heartbeat`, `deregisterNode`,
 * `listNodes`) and the leader lease (`acquireLeadership`, `renewLeadership`, `resignLeadership`,
 * `getLeader`). One script each; `reapDeadNodes` is in `recovery.ts`.
 *
 * @module
 */
import { newLeaseToken } from "../../job/ids.ts";
import type { HeartbeatInfo, LeaderInfo, LeaderLease, NodeInfo, NodeRecord } from "../cluster.ts";
import { decodeNodes, nodeArgs } from "./node_record.ts";
import { num, text } from "./record.ts";
import type { ScriptHost } from "./script_host.ts";

/** `Store.registerNode` on Redis. */
export async function registerNode(h: ScriptHost, node: NodeInfo, ttlMs: number): Promise<void> {
  await h.run("registerNode", [h.now(), ttlMs, ...nodeArgs(node)]);
}

/** `Store.heartbeat` on Redis. */
export async function heartbeat(
  h: ScriptHost,
  nodeId: string,
  info: HeartbeatInfo,
  ttlMs: number,
): Promise<boolean> {
  const args = [h.now(), ttlMs, nodeId, info.busy, info.completed ?? "", info.failed ?? ""];
  return num(await h.run("heartbeat", args)) === 1;
}

/** `Store.deregisterNode` on Redis. */
export async function deregisterNode(h: ScriptHost, nodeId: string): Promise<void> {
  await h.run("deregisterNode", [nodeId]);
}

/** `Store.listNodes` on Redis. */
export async function listNodes(h: ScriptHost): Promise<NodeRecord[]> {
  return decodeNodes(await h.run("listNodes", []));
}

/** `Store.acquireLeadership` on Redis. */
export async function acquireLeadership(
  h: ScriptHost,
  nodeId: string,
  ttlMs: number,
): Promise<LeaderLease | null> {
  const token = newLeaseToken();
  const args = [h.now(), nodeId, ttlMs, token];
  const [epoch, expiresAt] = await h.run("acquireLeadership", args) as unknown[];
  return num(epoch) > 0
    ? { node: nodeId, token, epoch: num(epoch), expiresAt: num(expiresAt) }
    : null;
}

/** `Store.renewLeadership` on Redis. */
export async function renewLeadership(
  h: ScriptHost,
  lease: LeaderLease,
  ttlMs: number,
): Promise<LeaderLease | null> {
  const args = [h.now(), lease.token, lease.epoch, ttlMs];
  const expiresAt = text(await h.run("renewLeadership", args));
  return expiresAt === "" ? null : { ...lease, expiresAt: Number(expiresAt) };
}

/** `Store.resignLeadership` on Redis. */
export async function resignLeadership(h: ScriptHost, lease: LeaderLease): Promise<void> {
  await h.run("resignLeadership", [lease.token]);
}

/** `Store.getLeader` on Redis. */
export async function getLeader(h: ScriptHost): Promise<LeaderInfo | null> {
  const reply = await h.run("getLeader", [h.now()]) as unknown[];
  if (reply.length < 3) return null;
  return { node: text(reply[0]), epoch: num(reply[1]), expiresAt: num(reply[2]) };
}
