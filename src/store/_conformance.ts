/**
 * The store conformance suite: one set of behaviours, run against every `Store`
 * implementation (`tests/store_memory_test.ts`, `tests/store_redis_test.ts`). A behaviour that
 * holds in one store and not the other is a bug.
 *
 * @module
 */
import { ManualClock } from "../job/clock.ts";
import { newJobId } from "../job/ids.ts";
import type { NewJob, RetentionConfig, Store } from "./store.ts";
import { JOB_CASES } from "./_conformance_jobs.ts";
import { LANE_CASES } from "./_conformance_lanes.ts";
import { OUTCOME_CASES } from "./_conformance_outcomes.ts";
import { STEAL_CASES } from "./_conformance_steal.ts";
import { CLUSTER_CASES } from "./_conformance_cluster.ts";
import { FAILURE_CASES } from "./_conformance_failures.ts";
import { LEASE_CASES } from "./_conformance_leases.ts";
import { GRAPH_CASES } from "./_conformance_graph.ts";
import { UNIQUE_CASES } from "./_conformance_unique.ts";
import { OBSERVE_CASES } from "./_conformance_observe.ts";
import { LIMIT_CASES } from "./_conformance_limits.ts";
import { RESCHEDULE_CASES } from "./_conformance_reschedule.ts";
import { SCHEDULE_CASES } from "./_conformance_schedules.ts";

/**
 * Builds a fresh, empty store on `clock` for one test; `close()` must free it. `listening`, when
 * given, resolves once a message published now on the store's channels `names` reaches its
 * listeners (`wake:<queue>` for waiters, `cancel:<node>` for cancellation listeners), for stores
 * that subscribe in the background; without it that is taken to hold at once.
 */
export type StoreFactory =
  & ((
    options: { clock: ManualClock; retention?: Partial<RetentionConfig>; events?: number },
  ) => Promise<Store>)
  & { listening?: (store: Store, names: readonly string[]) => Promise<void> };

/** One conformance case: a name and a body run against a fresh context. */
export type ConformanceCases = Record<string, (ctx: CaseContext) => Promise<void>>;

/** Registers every store conformance case with `Deno.test`, prefixed with `label`. */
export function runStoreConformance(label: string, factory: StoreFactory): void {
  runCases(label, factory, JOB_CASES);
  runCases(label, factory, LANE_CASES);
  runCases(label, factory, OUTCOME_CASES);
  runCases(label, factory, STEAL_CASES);
  runCases(label, factory, CLUSTER_CASES);
  runCases(label, factory, FAILURE_CASES);
  runCases(label, factory, LEASE_CASES);
  runCases(label, factory, GRAPH_CASES);
  runCases(label, factory, UNIQUE_CASES);
  runCases(label, factory, OBSERVE_CASES);
  runCases(label, factory, LIMIT_CASES);
  runCases(label, factory, RESCHEDULE_CASES);
  runCases(label, factory, SCHEDULE_CASES);
}

/** Registers `cases` with `Deno.test` against stores made by `factory`. */
export function runCases(label: string, factory: StoreFactory, cases: ConformanceCases): void {
  for (const [name, body] of Object.entries(cases)) {
    Deno.test({
      name: `${label}: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const clock = new ManualClock();
        const ctx = new CaseContext(clock, factory);
        try {
          await body(ctx);
        } finally {
          await ctx.closeAll();
        }
      },
    });
  }
}

/** What a case gets: the fake clock and a way to make stores on it (closed after the case). */
export class CaseContext {
  /** The clock every store of this case reads. */
  readonly clock: ManualClock;
  #factory: StoreFactory;
  #stores: Store[] = [];

  /** Makes stores with `factory` on `clock`. */
  constructor(clock: ManualClock, factory: StoreFactory) {
    this.clock = clock;
    this.#factory = factory;
  }

  /** A fresh empty store on this case's clock (keeping about `events` events when given). */
  async store(retention?: Partial<RetentionConfig>, events?: number): Promise<Store> {
    const store = await this.#factory({
      clock: this.clock,
      ...(retention ? { retention } : {}),
      ...(events === undefined ? {} : { events }),
    });
    this.#stores.push(store);
    return store;
  }

  /** Resolves once `store`'s listeners on channels `names` would hear (see `StoreFactory`). */
  async listening(store: Store, names: readonly string[]): Promise<void> {
    await this.#factory.listening?.(store, names);
  }

  /** Closes every store made for this case. */
  async closeAll(): Promise<void> {
    for (const store of this.#stores) await store.close();
  }
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A job to enqueue in a case: function "test-fn", queue "q", lane normal, 3 attempts. */
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: newJobId(),
    name: "test-fn",
    queue: "q",
    lane: "normal",
    payload: bytes("{}"),
    maxAttempts: 3,
    ...overrides,
  };
}

/** When the next delayed job (or limit) of queue "q" is due, as worker "w1" asks. */
export async function dueIn(store: Store): Promise<number | null> {
  return (await store.idleWait(["q"], "w1")).dueIn;
}

/** The reserve request of the cases' worker "w1" on queue "q". */
export const W = { worker: "w1", queues: ["q"], leaseMs: 30_000 };

/** A node record of the cases. */
export const NODE = {
  id: "n",
  host: "host-1",
  pid: 1,
  queues: ["q"],
  concurrency: 4,
  version: "0.1.0",
  startedAt: 0,
};
