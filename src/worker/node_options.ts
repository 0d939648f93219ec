/**
 * Options of a worker node, their defaults and their checks.
 *
 * @module
 */
import type { LeaderTiming } from "../cluster/leader_elector.ts";

/** Options of `engine.work` and of the `worker` command. */
export interface WorkOptions {
  /** Queues to serve, in preference order (default: the queues of the registered functions). */
  queues?: string[];
  /** Jobs run at once (default 10; with isolates: isolates x slots per isolate). */
  concurrency?: number;
  /** Run handlers in a pool of Deno isolates instead of on the main thread (default false). */
  isolates?: boolean | { size?: number; slotsPerIsolate?: number };
  /** Lease length in ms (default 30,000); leases are renewed every third of it. */
  leaseMs?: number;
  /**
   * Longest idle wait before looking again, in ms (default 2,000): a safety net, since new work
   * wakes idle nodes at once (pub/sub) and a node sleeps until the next delayed job is due.
   */
  idlePollMs?: number;
  /** On stop, how long running jobs may finish before they are aborted and handed back (30,000). */
  drainMs?: number;
  /**
   * Jobs leased ahead of free slots and held unstarted, which idle nodes may steal (default 0).
   * Each one costs a `start` round trip before it runs, so prefetch buys no speed here: it is
   * for spreading work that would otherwise wait behind a busy node.
   */
  prefetch?: number;
  /** Slots kept for the critical and high lanes (default: a quarter of concurrency when >= 4). */
  reservedSlots?: number;
  /** Take prefetched jobs from the busiest node when idle (default true). */
  steal?: boolean;
  /** Heartbeat interval in ms (default 3,000). */
  heartbeatMs?: number;
  /** A node missing heartbeats this long is dead and its jobs are reclaimed (default 10,000). */
  nodeTtlMs?: number;
  /** Take part in leader election (default true), optionally with lease timing. */
  leader?: boolean | Partial<LeaderTiming>;
}

/** Options after defaults and checks. */
export interface ResolvedNodeOptions {
  /** Queues. */
  queues: string[];
  /** Slots. */
  concurrency: number;
  /** Lease length. */
  leaseMs: number;
  /** Idle wait. */
  idlePollMs: number;
  /** Drain deadline. */
  drainMs: number;
  /** Prefetch target. */
  prefetch: number;
  /** Slots for critical and high. */
  reservedSlots: number;
  /** Stealing on. */
  steal: boolean;
  /** Heartbeat interval. */
  heartbeatMs: number;
  /** Node record lifetime. */
  nodeTtlMs: number;
  /** Election timing, or false. */
  leader: false | Partial<LeaderTiming>;
}

function whole(value: unknown, name: string, min: number): number {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new RangeError(
      `work: ${name} must be a whole number >= ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

/** Fills in defaults for a node of `concurrency` slots serving `queues`; throws on bad values. */
export function resolveNodeOptions(
  options: WorkOptions,
  queues: string[],
  concurrency: number,
): ResolvedNodeOptions {
  const heartbeatMs = whole(options.heartbeatMs ?? 3_000, "heartbeatMs", 1);
  const nodeTtlMs = whole(options.nodeTtlMs ?? 10_000, "nodeTtlMs", 1);
  if (nodeTtlMs <= heartbeatMs) {
    throw new RangeError(`work: nodeTtlMs (${nodeTtlMs}) must exceed heartbeatMs (${heartbeatMs})`);
  }
  const reservedSlots = whole(
    options.reservedSlots ?? (concurrency >= 4 ? Math.floor(concurrency / 4) : 0),
    "reservedSlots",
    0,
  );
  if (reservedSlots >= concurrency) {
    throw new RangeError(
      `work: reservedSlots (${reservedSlots}) must leave at least one slot of ${concurrency} for every lane`,
    );
  }
  const leader = options.leader ?? true;
  return {
    queues,
    concurrency,
    leaseMs: whole(options.leaseMs ?? 30_000, "leaseMs", 1),
    idlePollMs: whole(options.idlePollMs ?? 2_000, "idlePollMs", 1),
    drainMs: whole(options.drainMs ?? 30_000, "drainMs", 0),
    prefetch: whole(options.prefetch ?? 0, "prefetch", 0),
    reservedSlots,
    steal: options.steal ?? true,
    heartbeatMs,
    nodeTtlMs,
    leader: leader === true ? {} : leader,
  };
}
