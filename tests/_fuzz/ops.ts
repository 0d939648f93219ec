/**
 * The operations of a fuzz trace: plain data, generated from a seed (`generator.ts`) and applied
 * to both stores by the runner (`apply.ts`). Leases and leader leases are referred to
 * symbolically (`LeaseRef`, `LeaderRef`), because their tokens are random per store; the runner
 * resolves a reference to the same logical lease in each store. Times are relative to the
 * shared clock's `now` when the operation runs.
 *
 * @module
 */
import type { Lane } from "../../src/job/lanes.ts";
import type { JobState } from "../../src/job/states.ts";
import type { LaneConfigInput } from "../../src/schedule/lane_config.ts";
import type { FunctionLimits } from "../../src/job/limits.ts";

/** A lease handed out earlier in the trace by `reserve` or `steal`. */
export interface LeaseRef {
  /** Which one: an index into the candidate leases, modulo their number. */
  pick: number;
  /** Choose among the leases not yet seen to end; otherwise among all, stale ones included. */
  live: boolean;
  /** Present a wrong token for the lease's job ("token") or an unknown job id ("id"). */
  forge?: "token" | "id";
}

/** A leader lease acquired earlier in the trace. */
export interface LeaderRef {
  /** How many acquisitions before the latest one (0: the latest). */
  back: number;
  /** Present it with a wrong token. */
  forge: boolean;
}

/** One job of an `enqueue` operation. */
export interface JobSpec {
  /** Job id (shared by both stores; reused ids test idempotent enqueue). */
  id: string;
  /** Function name. */
  name: string;
  /** Queue. */
  queue: string;
  /** Lane. */
  lane: Lane;
  /** Due in this many ms from now (0 or less: now). */
  delayMs: number;
  /** Attempts allowed. */
  maxAttempts: number;
  /** Its own backoff JSON, if any. */
  backoff?: string;
  /** Its limit key (its function's limits count under it), if any. */
  limitKey?: string;
}

/** A dead-letter query; `failedAfterMs` is relative to now (failed at or after now - it). */
export interface DeadFilter {
  /** The queue. */
  queue: string;
  /** Only these ids. */
  ids?: string[];
  /** Only this function. */
  name?: string;
  /** Only errors containing this. */
  errorContains?: string;
  /** Only jobs dead-lettered at most this long ago. */
  failedAfterMs?: number;
  /** At most this many. */
  limit?: number;
}

/** How a failed attempt continues: retried at once, retried after `delayMs`, or dead-lettered. */
export type RetryChoice = "now" | "later" | "dead";

/** One step of a trace. */
export type Op =
  | { kind: "enqueue"; jobs: JobSpec[] }
  | {
    kind: "reserve";
    worker: string;
    queues: string[];
    count: number;
    leaseMs: number;
    prefetch?: number;
    lanes?: Lane[];
    lowerLaneLimit?: number;
  }
  | { kind: "start"; leases: LeaseRef[] }
  | { kind: "complete"; leases: LeaseRef[]; result: string | null }
  | {
    kind: "fail";
    items: { lease: LeaseRef; retry: RetryChoice; delayMs: number; message: string }[];
  }
  | {
    kind: "release";
    items: { lease: LeaseRef; delayMs: number | null; throttleMs?: number }[];
  }
  | { kind: "extend"; leases: LeaseRef[]; leaseMs: number }
  | { kind: "cancel"; id: string }
  | { kind: "changePriority"; id: string; lane: Lane }
  | { kind: "tick"; ms: number }
  | { kind: "reclaim"; limit?: number }
  | { kind: "promote"; queues: string[]; limit?: number }
  | { kind: "steal"; worker: string; queues: string[]; count: number; leaseMs: number }
  | { kind: "register"; node: string; queues: string[]; ttlMs: number }
  | { kind: "heartbeat"; node: string; busy: number; ttlMs: number }
  | { kind: "deregister"; node: string }
  | { kind: "acquire"; node: string; ttlMs: number }
  | { kind: "renew"; leader: LeaderRef; ttlMs: number }
  | { kind: "resign"; leader: LeaderRef }
  | { kind: "reap"; leader: LeaderRef }
  | { kind: "listJobs"; queue: string; state: JobState; lane?: Lane; limit: number; offset: number }
  | { kind: "listDead"; query: DeadFilter }
  | { kind: "requeueDead"; query: DeadFilter }
  | { kind: "purgeDead"; query: DeadFilter }
  | { kind: "pause"; queue: string }
  | { kind: "resume"; queue: string }
  | { kind: "configure"; queue: string; input: LaneConfigInput }
  | { kind: "limits"; limits: Record<string, FunctionLimits | null> };

/** The name of an operation. */
export type OpKind = Op["kind"];

function isLeaseRef(value: unknown): value is LeaseRef {
  return typeof value === "object" && value !== null && "pick" in value && "live" in value;
}

function isLeaderRef(value: unknown): value is LeaderRef {
  return typeof value === "object" && value !== null && "back" in value && "forge" in value;
}

/** A symbolic lease reference as text, when no runner resolved it. */
export function describeLeaseRef(ref: LeaseRef): string {
  const forged = ref.forge ? `, ${ref.forge} forged` : "";
  return `<${ref.live ? "live" : "any"} lease #${ref.pick}${forged}>`;
}

/** A leader reference as text. */
export function describeLeaderRef(ref: LeaderRef): string {
  return `<leader lease ${ref.back === 0 ? "latest" : `latest-${ref.back}`}` +
    `${ref.forge ? ", token forged" : ""}>`;
}

/**
 * One line for `op`: its kind and arguments as compact JSON. `lease` and `leader` render
 * references (default: symbolically; the runner passes what they resolved to).
 */
export function describeOp(
  op: Op,
  lease: (ref: LeaseRef) => string = describeLeaseRef,
  leader: (ref: LeaderRef) => string = describeLeaderRef,
): string {
  const { kind, ...args } = op;
  const json = JSON.stringify(args, (_key, value) => {
    if (isLeaseRef(value)) return lease(value);
    if (isLeaderRef(value)) return leader(value);
    return value;
  });
  return `${kind} ${json.replace(/"(\w+)":/g, "$1:")}`;
}
