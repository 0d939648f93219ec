/**
 * What the leader does while it leads: reap dead nodes (their jobs go back at once), reclaim
 * expired leases, and fire cron schedules (`cron_ticker.ts`). Every step first checks that this
 * node still leads; a fenced write refused by the store makes it step down.
 *
 * @module
 */
import { Status } from "../job/status.ts";
import type { Logger } from "../job/logger.ts";
import type { Store } from "../store/store.ts";
import type { LeaderElector } from "./leader_elector.ts";
import { CronTicker } from "./cron_ticker.ts";

/** Runs the leader's periodic work every `everyMs` while `elector` says this node leads. */
export class LeaderDuties {
  #store: Store;
  #elector: () => LeaderElector | null;
  #everyMs: number;
  #logger: Logger;
  #onEnded: (ids: string[]) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #round: Promise<void> = Promise.resolve();
  #cron: CronTicker;

  /**
   * `elector` is read at each round (it is created after the duties); `onEnded` gets the jobs
   * that reaping or reclaiming ended for good (dead-lettered, or cancelled on request).
   */
  constructor(
    store: Store,
    elector: () => LeaderElector | null,
    everyMs: number,
    logger: Logger,
    onEnded: (ids: string[]) => void,
  ) {
    this.#store = store;
    this.#onEnded = onEnded;
    this.#elector = elector;
    this.#everyMs = everyMs;
    this.#logger = logger;
    this.#cron = new CronTicker(
      store,
      {
        lease: () => elector()?.lease ?? null,
        stepDown: (reason) => elector()?.stepDown(reason),
      },
      logger,
      everyMs,
    );
  }

  /** Starts the rounds (the first at once) and the cron ticker. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#cron.start();
    this.#round = this.#run();
    this.#timer = setInterval(() => {
      this.#round = this.#round.then(() => this.#run());
    }, this.#everyMs);
  }

  /** Stops the rounds and the ticker; waits for the ones in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all([this.#round, this.#cron.stop()]);
  }

  async #run(): Promise<void> {
    const elector = this.#elector();
    const lease = elector?.lease;
    if (!elector || !lease) return;
    try {
      const { status, outcome } = await this.#store.reapDeadNodes(lease);
      if (status === Status.NOT_LEADER) {
        elector.stepDown("the store refused a leader-only write (a newer leader exists)");
        return;
      }
      if (outcome.nodes.length) {
        this.#logger.warn("reaped dead nodes", {
          nodes: outcome.nodes,
          requeued: outcome.requeued.length,
          dead: outcome.dead.length,
        });
      }
      if (outcome.dead.length) this.#onEnded(outcome.dead);
      const reclaimed = await this.#store.reclaimExpired();
      if (reclaimed.dead.length) this.#onEnded(reclaimed.dead);
      if (reclaimed.requeued.length || reclaimed.dead.length) {
        this.#logger.warn("reclaimed jobs with expired leases", {
          requeued: reclaimed.requeued.length,
          dead: reclaimed.dead.length,
        });
      }
    } catch (error) {
      this.#logger.warn("leader round failed", { error: String(error) });
    }
  }
}
