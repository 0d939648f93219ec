/**
 * The cron leader of a test engine: it takes the store's leader lease when asked and fires the
 * due ticks of every schedule at the clock's now, through the leader's own ticker
 * (`CronTicker.fireDue`), with no timer of its own. `drain` asks it before every job it runs,
 * and the test engine's store asks it whenever a schedule changes, as a live leader would be
 * woken.
 *
 * @module
 */
import { CronTicker } from "../cluster/cron_ticker.ts";
import type { Logger } from "../job/logger.ts";
import type { LeaderLease } from "../store/cluster.ts";
import type { ScheduleStore } from "../store/schedule_store.ts";
import type { Store } from "../store/store.ts";

/** The node id the test leader holds the lease as. */
export const TEST_LEADER_ID = "sluice-testing";

/** Lease length of the test leader, on the store's clock; renewed at every use. */
const LEASE_TTL_MS = 60_000;

/** Passes over the due schedules one call makes at most before it gives up. */
const MAX_PASSES = 1_000;

/** Fires due cron ticks on request; see the module doc. */
export class TestLeader {
  #store: Pick<Store, "acquireLeadership" | "renewLeadership">;
  #ticker: CronTicker;
  #lease: LeaderLease | null = null;

  /**
   * Leads on `store`, firing the schedules of `schedules` (the store's own, not a wrapper that
   * calls back here); logs to `logger`.
   */
  constructor(
    store: Pick<Store, "acquireLeadership" | "renewLeadership">,
    schedules: ScheduleStore,
    logger: Logger,
  ) {
    this.#store = store;
    this.#ticker = new CronTicker(
      { schedules },
      { lease: () => this.#lease, stepDown: () => this.#lease = null },
      logger,
      LEASE_TTL_MS,
    );
  }

  /**
   * Fires every tick due now (and gives new schedules their first fire time). Returns the ms
   * until the next fire time of any schedule, or null when there is none, or when another node
   * leads (a worker started with `engine.work()` fires them then).
   */
  async fireDue(): Promise<number | null> {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      if (!(await this.#lead())) return null;
      const fired = await this.#ticker.fireDue();
      if (fired === null) return null;
      if (fired.due === 0) return fired.nextIn;
    }
    throw new Error(`cron schedules were still due after ${MAX_PASSES} passes`);
  }

  /** Renews the lease, or takes it; false when another node holds it. */
  async #lead(): Promise<boolean> {
    if (this.#lease) this.#lease = await this.#store.renewLeadership(this.#lease, LEASE_TTL_MS);
    this.#lease ??= await this.#store.acquireLeadership(TEST_LEADER_ID, LEASE_TTL_MS);
    return this.#lease !== null;
  }
}
