/**
 * Random arguments for each kind of fuzz operation: a mix of valid and invalid ones (stale and
 * forged tokens, unknown ids and queues, repeated ids and queues, empty lane filters).
 *
 * @module
 */
import { type Lane, LANES } from "../../src/job/lanes.ts";
import { JOB_STATES } from "../../src/job/states.ts";
import type { LaneConfigInput } from "../../src/schedule/lane_config.ts";
import type { DeadFilter, JobSpec, LeaderRef, LeaseRef, Op, OpKind } from "./ops.ts";
import type { Rng } from "./prng.ts";
import { FUNCTIONS, JOB_IDS, QUEUES, UNKNOWN_ID, UNKNOWN_QUEUE, WORKERS } from "./universe.ts";
import type { FunctionLimits } from "../../src/job/limits.ts";

const LEASE_OPS: readonly OpKind[] = ["start", "complete", "fail", "release", "extend"];
const LEADER_OPS: readonly OpKind[] = ["renew", "resign", "reap"];

/** Makes the arguments of operations, following what the trace did so far. */
export class OpGenerator {
  #rng: Rng;
  #without: ReadonlySet<string>;
  #nextId = 0;
  #leasing = false;
  #leading = false;

  /** Draws from `rng`; leaves out the reserve features in `without`. */
  constructor(rng: Rng, without: ReadonlySet<string>) {
    this.#rng = rng;
    this.#without = without;
  }

  /** False for operations on leases before any reserve, or on leader leases before any acquire. */
  ready(kind: OpKind): boolean {
    if (LEASE_OPS.includes(kind)) return this.#leasing;
    if (LEADER_OPS.includes(kind)) return this.#leading;
    return true;
  }

  /** An operation of `kind` with random arguments. */
  op(kind: OpKind): Op {
    const r = this.#rng;
    if (kind === "reserve" || kind === "steal") this.#leasing = true;
    if (kind === "acquire") this.#leading = true;
    switch (kind) {
      case "enqueue":
        return {
          kind,
          jobs: Array.from({ length: r.chance(0.3) ? r.int(2, 5) : 1 }, () => this.#job()),
        };
      case "reserve":
        return this.#reserve();
      case "start":
      case "complete":
      case "extend": {
        const leases = this.#leases();
        if (kind === "start") return { kind, leases };
        if (kind === "extend") return { kind, leases, leaseMs: this.#leaseMs() };
        return { kind, leases, result: r.chance(0.5) ? null : `r${r.int(0, 9)}` };
      }
      case "fail":
        return {
          kind,
          items: this.#leases().map((lease) => ({
            lease,
            retry: r.pick(["now", "later", "dead"] as const),
            delayMs: r.pick([0, 1, 500, 20_000]),
            message: r.pick(["boom", "timeout", 'bad "quote" é']),
          })),
        };
      case "release":
        return {
          kind,
          items: this.#leases().map((lease) => ({
            lease,
            delayMs: r.chance(0.4) ? null : r.pick([-100, 0, 1, 5_000]),
            ...(r.chance(0.2) ? { throttleMs: r.pick([1, 1_000, 5_000]) } : {}),
          })),
        };
      case "cancel":
        return { kind, id: this.#anyId() };
      case "changePriority":
        return { kind, id: this.#anyId(), lane: r.pick(LANES) };
      case "tick":
        return {
          kind,
          ms: r.chance(0.05) ? 400_000 : r.pick([0, 1, 999, 1_000, 5_000, 29_999, 30_000, 45_000]),
        };
      case "reclaim":
        return r.chance(0.2) ? { kind, limit: r.int(1, 2) } : { kind };
      case "promote":
        return { kind, queues: this.#queues(), ...(r.chance(0.2) ? { limit: r.int(0, 2) } : {}) };
      case "steal":
        return {
          kind,
          worker: r.pick(WORKERS),
          queues: this.#queues(),
          count: r.int(0, 3),
          leaseMs: this.#leaseMs(),
        };
      case "register":
        return {
          kind,
          node: r.pick(WORKERS),
          queues: this.#queues(),
          ttlMs: r.pick([5_000, 30_000, 60_000]),
        };
      case "heartbeat":
        return {
          kind,
          node: r.pick(WORKERS),
          busy: r.int(0, 3),
          ttlMs: r.pick([5_000, 30_000, 60_000]),
        };
      case "deregister":
        return { kind, node: r.pick(WORKERS) };
      case "acquire":
        return { kind, node: r.pick(WORKERS), ttlMs: r.pick([5_000, 30_000, 600_000]) };
      case "renew":
        return { kind, leader: this.#leader(), ttlMs: r.pick([5_000, 30_000]) };
      case "resign":
      case "reap":
        return { kind, leader: this.#leader() };
      case "listJobs":
        return {
          kind,
          queue: r.pick(QUEUES),
          state: r.pick(JOB_STATES),
          ...(r.chance(0.3) ? { lane: r.pick(LANES) } : {}),
          limit: r.int(1, 4),
          offset: r.int(0, 2),
        };
      case "listDead":
      case "requeueDead":
      case "purgeDead":
        return { kind, query: this.#deadFilter() };
      case "pause":
      case "resume":
        return { kind, queue: r.pick(QUEUES) };
      case "configure":
        return { kind, queue: r.pick(QUEUES), input: this.#laneConfig() };
      case "limits":
        return { kind, limits: { [r.pick(FUNCTIONS)]: this.#functionLimits() } };
    }
  }

  #job(): JobSpec {
    const r = this.#rng;
    const reuse = this.#nextId > 0 && r.chance(0.15);
    const id = reuse ? this.#usedId() : JOB_IDS[this.#nextId++ % JOB_IDS.length]!;
    const name = r.pick(FUNCTIONS);
    return {
      id,
      name,
      queue: r.pick(QUEUES),
      lane: r.pick(LANES),
      delayMs: r.chance(0.65) ? r.pick([0, 0, -500]) : r.pick([1, 1_000, 30_000, 60_000]),
      maxAttempts: r.pick([1, 1, 2, 3]),
      ...(r.chance(0.1) ? { backoff: '{"type":"fixed","delayMs":100}' } : {}),
      ...(r.chance(0.4) ? { limitKey: r.pick([name, `${name}|k1`, `${name}|k2`]) } : {}),
    };
  }

  /** Limits of a function: none, a rate, a concurrency, or both. */
  #functionLimits(): FunctionLimits | null {
    const r = this.#rng;
    if (r.chance(0.2)) return null;
    const rate = r.chance(0.6) ? { max: r.int(1, 3), duration: r.pick([1_000, 5_000]) } : null;
    const concurrency = rate === null || r.chance(0.4) ? r.int(1, 2) : null;
    return { rate, concurrency, perKey: r.chance(0.5) };
  }

  #reserve(): Op {
    const r = this.#rng;
    const op: Op = {
      kind: "reserve",
      worker: r.pick(WORKERS),
      queues: this.#queues(),
      count: r.pick([0, 1, 1, 2, 3, 4]),
      leaseMs: this.#leaseMs(),
    };
    if (this.#has("prefetch") && r.chance(0.5)) op.prefetch = r.pick([0, 1, 2, 3]);
    if (this.#has("lanes") && r.chance(0.25)) {
      op.lanes = this.#has("emptyLanes") && r.chance(0.1) ? [] : r.some(LANES, 1, 3);
    }
    if (this.#has("lowerLaneLimit") && r.chance(0.5)) op.lowerLaneLimit = r.int(0, 2);
    return op;
  }

  #has(feature: string): boolean {
    return !this.#without.has(feature);
  }

  /** One to four queues in a random order, sometimes with an unknown one or a repeat. */
  #queues(): string[] {
    const r = this.#rng;
    const queues = r.some(QUEUES, 1);
    if (r.chance(0.1)) queues.splice(r.int(0, queues.length), 0, UNKNOWN_QUEUE);
    if (r.chance(0.05)) queues.push(queues[0]!);
    return queues;
  }

  #leases(): LeaseRef[] {
    const r = this.#rng;
    return Array.from({ length: r.chance(0.25) ? r.int(2, 3) : 1 }, () => {
      const ref: LeaseRef = { pick: r.int(0, 1_000), live: r.chance(0.85) };
      if (r.chance(0.07)) ref.forge = r.pick(["token", "id"] as const);
      return ref;
    });
  }

  #leader(): LeaderRef {
    const r = this.#rng;
    return { back: r.chance(0.8) ? 0 : r.int(1, 2), forge: r.chance(0.1) };
  }

  /** An id this trace enqueued already (there must be one). */
  #usedId(): string {
    return JOB_IDS[this.#rng.int(0, Math.min(this.#nextId, JOB_IDS.length) - 1)]!;
  }

  /** An id this trace enqueued, or now and then one it never does. */
  #anyId(): string {
    return this.#nextId === 0 || this.#rng.chance(0.05) ? UNKNOWN_ID : this.#usedId();
  }

  #leaseMs(): number {
    return this.#rng.pick([1_000, 5_000, 30_000]);
  }

  #deadFilter(): DeadFilter {
    const r = this.#rng;
    const query: DeadFilter = { queue: r.pick(QUEUES) };
    if (r.chance(0.2)) query.ids = Array.from({ length: r.int(1, 3) }, () => this.#anyId());
    if (r.chance(0.2)) query.name = r.pick(FUNCTIONS);
    if (r.chance(0.2)) query.errorContains = r.pick(["boom", "quote", "Stalled", "é"]);
    if (r.chance(0.15)) query.failedAfterMs = r.pick([0, 30_000, 100_000]);
    if (r.chance(0.3)) query.limit = r.int(1, 3);
    return query;
  }

  #laneConfig(): LaneConfigInput {
    const r = this.#rng;
    switch (r.int(0, 3)) {
      case 0:
        return { strict: r.chance(0.5) };
      case 1:
        return { weights: { [r.pick(LANES)]: r.int(1, 20) } as Partial<Record<Lane, number>> };
      case 2:
        return { agingMs: r.chance(0.3) ? null : r.pick([0, 10_000, 60_000]) };
      default:
        return {
          rateLimit: r.chance(0.3) ? null : { max: r.int(1, 3), duration: r.pick([1_000, 5_000]) },
        };
    }
  }
}
