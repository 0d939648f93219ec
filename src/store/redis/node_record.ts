/**
 * Node records in Redis: the arguments of `register_node.lua` and the decoding of the reply of
 * `list_nodes.lua`. A node hash holds `NodeRecord` fields as text, `queues` as JSON text.
 *
 * @module
 */
import type { NodeInfo, NodeRecord } from "../cluster.ts";
import { num, pairs, text } from "./record.ts";

/** ARGV of `register_node.lua` after now and ttl: id, host, pid, queues (JSON), and the rest. */
export function nodeArgs(node: NodeInfo): (string | number)[] {
  return [
    node.id,
    node.host,
    node.pid,
    JSON.stringify(node.queues),
    node.concurrency,
    node.version,
    node.startedAt,
  ];
}

/** Node records from the reply of `list_nodes.lua` (id, hash, prefetched per node), by id. */
export function decodeNodes(reply: unknown): NodeRecord[] {
  const list = reply as unknown[];
  const out: NodeRecord[] = [];
  for (let i = 0; i + 2 < list.length; i += 3) {
    const fields = pairs(list[i + 1]);
    if (!fields.has("expiresAt")) continue;
    const field = (name: string): number => num(fields.get(name));
    out.push({
      id: text(list[i]),
      host: text(fields.get("host")),
      pid: field("pid"),
      queues: JSON.parse(text(fields.get("queues")) || "[]") as string[],
      concurrency: field("concurrency"),
      version: text(fields.get("version")),
      startedAt: field("startedAt"),
      heartbeatAt: field("heartbeatAt"),
      expiresAt: field("expiresAt"),
      busy: field("busy"),
      completed: field("completed"),
      failed: field("failed"),
      prefetched: num(list[i + 2]),
    });
  }
  return out.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
