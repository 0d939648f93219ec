/**
 * The memory store's cluster records: worker nodes and the leader lease with its fencing epoch.
 * Pure bookkeeping on the caller's `now`; `MemoryStore` adds what touches jobs (reaping). The
 * Redis store keeps the same records in `node:<id>`, `nodes`, `leader` and `leader:epoch`.
 *
 * @module
 */
import { newLeaseToken } from "../../job/ids.ts";
import type { HeartbeatInfo, LeaderInfo, LeaderLease, NodeInfo, NodeRecord } from "../cluster.ts";

/** A node record without its prefetched count (the store knows that one). */
export type StoredNode = Omit<NodeRecord, "prefetched">;

/** Registered worker nodes. */
export class NodeTable {
  #nodes = new Map<string, StoredNode>();

  /** Records `node` (or refreshes its record): heartbeat now, alive until now + ttl, busy 0. */
  register(node: NodeInfo, now: number, ttlMs: number): void {
    this.#nodes.set(node.id, {
      ...node,
      queues: [...node.queues],
      heartbeatAt: now,
      expiresAt: now + ttlMs,
      busy: 0,
      completed: 0,
      failed: 0,
    });
  }

  /** Extends a node's life; false when its record is gone. */
  heartbeat(id: string, info: HeartbeatInfo, now: number, ttlMs: number): boolean {
    const node = this.#nodes.get(id);
    if (!node) return false;
    node.heartbeatAt = now;
    node.expiresAt = now + ttlMs;
    node.busy = info.busy;
    if (info.completed !== undefined) node.completed = info.completed;
    if (info.failed !== undefined) node.failed = info.failed;
    return true;
  }

  /** Removes a node's record. */
  delete(id: string): void {
    this.#nodes.delete(id);
  }

  /** Every record (copies), sorted by id. */
  list(): StoredNode[] {
    return [...this.#nodes.values()]
      .map((node) => ({ ...node, queues: [...node.queues] }))
      .sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  /** Ids of the nodes whose record expired at `now`, by (expiresAt, id). */
  expired(now: number): string[] {
    return [...this.#nodes.values()]
      .filter((node) => node.expiresAt <= now)
      .sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((node) => node.id);
  }
}

/** The leader lease and the epoch counter, which only grows. */
export class LeaderSeat {
  #lease: LeaderLease | null = null;
  #epoch = 0;

  /** Takes the lease when it is free or lapsed: new token, next epoch. Null otherwise. */
  acquire(node: string, now: number, ttlMs: number): LeaderLease | null {
    if (this.#lease && this.#lease.expiresAt > now) return null;
    this.#lease = { node, token: newLeaseToken(), epoch: ++this.#epoch, expiresAt: now + ttlMs };
    return { ...this.#lease };
  }

  /** True when `lease` is the current lease (token and epoch) and has not lapsed at `now`. */
  holds(lease: LeaderLease, now: number): boolean {
    const current = this.#lease;
    return current !== null && current.token === lease.token && current.epoch === lease.epoch &&
      current.expiresAt > now;
  }

  /** Renews `lease` to now + ttl if `holds` it; the renewed lease, or null. */
  renew(lease: LeaderLease, now: number, ttlMs: number): LeaderLease | null {
    if (!this.holds(lease, now)) return null;
    this.#lease!.expiresAt = now + ttlMs;
    return { ...lease, expiresAt: now + ttlMs };
  }

  /** Drops the lease if its token is `lease`'s. */
  resign(lease: LeaderLease): void {
    if (this.#lease?.token === lease.token) this.#lease = null;
  }

  /** The live leader at `now`, or null. */
  current(now: number): LeaderInfo | null {
    const lease = this.#lease;
    if (!lease || lease.expiresAt <= now) return null;
    return { node: lease.node, epoch: lease.epoch, expiresAt: lease.expiresAt };
  }
}
