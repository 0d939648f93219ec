/**
 * Applies one trace operation to one store and returns its reply with lease and leader tokens
 * replaced by their logical names (see `handles.ts`), ready to compare with the other store's (a
 * reserve's reply is its leases and its idle answer, or null).
 *
 * @module
 */
import type { DeadLetterQuery, IdleWait, NewJob } from "../../src/store/store.ts";
import type { Ledger } from "./handles.ts";
import type { DeadFilter, LeaseRef, Op } from "./ops.ts";
import type { Side } from "./stores.ts";

const encoder = new TextEncoder();

/** The error text a failed attempt is recorded with. */
export function errorJson(message: string): string {
  return JSON.stringify({ name: "Error", message });
}

/** Runs `op` on `side`'s store at `now` (the shared clock's time); resolves to its reply. */
export async function applyOp(op: Op, side: Side, ledger: Ledger, now: number): Promise<unknown> {
  const { store, book } = side;
  const proof = (ref: LeaseRef) => book.proof(ledger.lease(ref));
  switch (op.kind) {
    case "enqueue":
      return await store.enqueue(op.jobs.map((job): NewJob => ({
        id: job.id,
        name: job.name,
        queue: job.queue,
        lane: job.lane,
        payload: encoder.encode(`{"id":"${job.id}"}`),
        delay: job.delayMs,
        maxAttempts: job.maxAttempts,
        ...(job.backoff ? { backoff: job.backoff } : {}),
        ...(job.limitKey ? { limitKey: job.limitKey } : {}),
      })));
    case "reserve": {
      // every reserve asks for the idle answer, so the stores' answers are compared too
      const { kind: _, ...request } = op;
      let idle: IdleWait | null = null;
      const leased = await store.reserve({ ...request, onIdle: (wait) => idle = wait });
      return { leases: book.addLeases(leased), idle };
    }
    case "start":
      return await store.start(op.leases.map(proof));
    case "complete":
      return await store.complete(op.leases.map((ref) => ({
        ...proof(ref),
        result: op.result === null ? null : encoder.encode(op.result),
      })));
    case "fail":
      return await store.fail(op.items.map((item) => ({
        ...proof(item.lease),
        error: errorJson(item.message),
        retryDelay: item.retry === "dead"
          ? null
          : item.retry === "now"
          ? 0
          : Math.max(item.delayMs, 1),
      })));
    case "release":
      return await store.release(op.items.map((item) => ({
        ...proof(item.lease),
        ...(item.delayMs === null ? {} : { delay: item.delayMs }),
        ...(item.throttleMs === undefined ? {} : { throttle: item.throttleMs }),
      })));
    case "extend":
      return await store.extendLeases(op.leases.map(proof), op.leaseMs);
    case "cancel":
      return await store.cancel(op.id);
    case "changePriority":
      return await store.changePriority(op.id, op.lane);
    case "tick":
      return null; // the runner moves the shared clock
    case "reclaim":
      return await store.reclaimExpired(op.limit);
    case "promote":
      return await store.promoteDue(op.queues, op.limit);
    case "steal": {
      const { kind: _, ...request } = op;
      return book.addLeases(await store.steal(request));
    }
    default:
      return await applyAdmin(op, side, ledger, now);
  }
}

/** The operations on nodes, leadership, listings, dead letters and queue settings. */
async function applyAdmin(op: Op, side: Side, ledger: Ledger, now: number): Promise<unknown> {
  const { store, book } = side;
  switch (op.kind) {
    case "register": {
      const node = { id: op.node, host: "host", pid: 1, concurrency: 2, version: "0.1.0" };
      return await store.registerNode({ ...node, queues: op.queues, startedAt: 0 }, op.ttlMs);
    }
    case "heartbeat":
      return await store.heartbeat(op.node, { busy: op.busy }, op.ttlMs);
    case "deregister":
      return await store.deregisterNode(op.node);
    case "acquire":
      return book.addLeader(await store.acquireLeadership(op.node, op.ttlMs));
    case "renew": {
      const lease = book.leader(ledger.leader(op.leader), op.leader.forge);
      const renewed = await store.renewLeadership(lease, op.ttlMs);
      return renewed && { ...renewed, token: book.leaderName(renewed.token) };
    }
    case "resign":
      return await store.resignLeadership(book.leader(ledger.leader(op.leader), op.leader.forge));
    case "reap":
      return await store.reapDeadNodes(book.leader(ledger.leader(op.leader), op.leader.forge));
    case "listJobs": {
      const { kind: _, offset, ...query } = op;
      return await store.listJobs({ ...query, ...(offset > 0 ? { cursor: String(offset) } : {}) });
    }
    case "listDead":
      return await store.listDead(deadQuery(op.query, now));
    case "requeueDead":
      return await store.requeueDead(deadQuery(op.query, now));
    case "purgeDead":
      return await store.purgeDead(deadQuery(op.query, now));
    case "pause":
      return await store.pause(op.queue);
    case "resume":
      return await store.resume(op.queue);
    case "configure":
      return await store.configureLanes(op.queue, op.input);
    case "limits":
      return await store.configureFunctions(op.limits);
    default:
      throw new Error(`fuzz: no way to apply ${op.kind}`);
  }
}

function deadQuery(filter: DeadFilter, now: number): DeadLetterQuery {
  const { failedAfterMs, ...query } = filter;
  return failedAfterMs === undefined ? query : { ...query, failedAfter: now - failedAfterMs };
}
