/**
 * The leader's cron ticker: fires the ticks of due schedules, then sleeps until the earliest
 * next fire time (a timer set to it, on the store's clock), a schedule change (published by the
 * store), or the recheck interval, whichever comes first. Only the leader runs it; each round of
 * a schedule is one fenced store step (`store.schedules.fire`), checked against the revision the
 * ticker read, with deterministic job ids: a tick fires once even when leadership changes in the
 * middle of a round or two leaders overlap for a moment.
 *
 * @module
 */
import { sleep } from "../job/clock.ts";
import type { Logger } from "../job/logger.ts";
import { Status } from "../job/status.ts";
import { planFiring } from "../schedule/catch_up.ts";
import { storedPattern } from "../schedule/cron.ts";
import type { LeaderLease } from "../store/cluster.ts";
import { DUE_SCHEDULES_BATCH, type StoredSchedule } from "../store/schedule_store.ts";
import type { Store } from "../store/store.ts";
import { tickJob } from "./tick_jobs.ts";

/** What the ticker needs of its node's leadership. */
export interface TickerLeadership {
  /** The current lease when this node leads right now, else null. */
  lease(): LeaderLease | null;
  /** Stops leading at once (the store refused a fenced write). */
  stepDown(reason: string): void;
}

/** Runs the cron ticks while its node leads. */
export class CronTicker {
  #store: Pick<Store, "schedules">;
  #leadership: TickerLeadership;
  #logger: Logger;
  #recheckMs: number;
  #stopping: AbortController | null = null;
  #loop: Promise<void> = Promise.resolve();

  /** Fires the schedules of `store`; re-reads them at least every `recheckMs`. */
  constructor(
    store: Pick<Store, "schedules">,
    leadership: TickerLeadership,
    logger: Logger,
    recheckMs: number,
  ) {
    this.#store = store;
    this.#leadership = leadership;
    this.#logger = logger;
    this.#recheckMs = recheckMs;
  }

  /** Starts ticking (at once). */
  start(): void {
    if (this.#stopping) return;
    const stopping = new AbortController();
    this.#stopping = stopping;
    this.#loop = this.#run(stopping.signal);
  }

  /** Stops ticking; waits for the round in progress. */
  async stop(): Promise<void> {
    this.#stopping?.abort();
    this.#stopping = null;
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let errorDelay = 100;
    while (!signal.aborted && this.#leadership.lease()) {
      const woken = new AbortController();
      const onStop = () => woken.abort();
      signal.addEventListener("abort", onStop, { once: true });
      // listen before looking, so a change that comes in between is not missed
      const changed = this.#store.schedules.waitForChange(this.#recheckMs, woken.signal);
      try {
        const pass = await this.fireDue(signal);
        if (pass === null) return;
        errorDelay = 100;
        if (pass.due > 0) continue; // look again: their next times moved
        const waits = [changed];
        if (pass.nextIn !== null && pass.nextIn < this.#recheckMs) {
          waits.push(sleep(pass.nextIn, woken.signal));
        }
        await Promise.race(waits);
      } catch (error) {
        this.#logger.warn("cron round failed; retrying", { error: String(error) });
        await sleep(errorDelay, woken.signal);
        errorDelay = Math.min(errorDelay * 2, 5_000);
      } finally {
        woken.abort();
        signal.removeEventListener("abort", onStop);
      }
    }
  }

  /**
   * One pass of the ticker, now: fires a round of every due schedule (at most
   * `DUE_SCHEDULES_BATCH`). Returns how many were due (more may be due after them: call again
   * while it is above 0) and the ms until the next fire time of the others (null: none); null
   * when this node does not lead or `signal` aborted. Throws when a schedule could not be
   * fired. The leader's loop runs it; the testing kit calls it to fire due ticks without timers.
   */
  async fireDue(signal?: AbortSignal): Promise<{ due: number; nextIn: number | null } | null> {
    const due = await this.#store.schedules.due(DUE_SCHEDULES_BATCH);
    let failed = false;
    for (const schedule of due.schedules) {
      const lease = this.#leadership.lease();
      if (signal?.aborted || !lease) return null;
      failed = !(await this.#round(lease, schedule, due.now)) || failed;
    }
    if (failed) throw new Error("a schedule could not be fired");
    return { due: due.schedules.length, nextIn: due.nextIn };
  }

  /** Fires one round of `schedule` at `now`; false when it failed (logged). */
  async #round(lease: LeaderLease, schedule: StoredSchedule, now: number): Promise<boolean> {
    const { name } = schedule;
    try {
      const plan = planFiring(
        storedPattern(schedule.pattern, schedule.tz),
        schedule.next,
        schedule.catchUp,
        now,
      );
      const out = await this.#store.schedules.fire(lease, {
        name,
        revision: schedule.revision,
        ticks: plan.ticks.map((tick) => tickJob(schedule, tick)),
        next: plan.next,
      });
      if (out.status === Status.NOT_LEADER) {
        this.#leadership.stepDown("the store refused a leader-only write (a newer leader exists)");
        return true;
      }
      if (out.status !== Status.OK) return true; // changed meanwhile: read again
      if (plan.missed > 0) {
        this.#logger.warn("cron ticks missed", {
          schedule: name,
          missed: plan.missed,
          catchUp: schedule.catchUp,
          fired: plan.ticks.length,
        });
      }
      if (out.refusedBy) {
        this.#logger.info("cron tick kept out by a unique key", {
          schedule: name,
          holder: out.refusedBy,
        });
      }
      if (plan.ticks.length > 0) {
        this.#logger.debug("cron fired", {
          schedule: name,
          ticks: plan.ticks,
          created: out.created,
        });
      }
      return true;
    } catch (error) {
      this.#logger.error("cron schedule could not be fired", {
        schedule: name,
        error: String(error),
      });
      return false;
    }
  }
}
