/**
 * Leader election on the store's leader lease (token + fencing epoch). One elector per node:
 * it tries to acquire the lease, renews it every `renewMs`, and steps down (stops leader work)
 * as soon as a renewal fails, errors, or the lease may have lapsed by this node's monotonic clock
 * — before the store could hand it to another node. Leader-only writes carry the lease, so the
 * store rejects them once another node holds a newer epoch, even from a node that was paused.
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { LeaderLease } from "../store/cluster.ts";
import type { Store } from "../store/store.ts";

/** Timing of the leader lease. */
export interface LeaderTiming {
  /** Lease length (ms; default 15,000). */
  ttlMs: number;
  /** Renewal (and, when not leader, acquisition) interval (ms; default 5,000). */
  renewMs: number;
}

/** Default lease timing: a 15 s lease renewed every 5 s. */
export const DEFAULT_LEADER_TIMING: LeaderTiming = { ttlMs: 15_000, renewMs: 5_000 };

/** Called when this node becomes leader (with its lease) or stops being leader. */
export interface LeaderListener {
  /** This node now leads; leader work may start. */
  elected(lease: LeaderLease): void;
  /** This node no longer leads; leader work must stop at once. */
  deposed(reason: string): void;
}

/** Runs the election loop of one node. */
export class LeaderElector {
  #store: Store;
  #nodeId: string;
  #timing: LeaderTiming;
  #listener: LeaderListener;
  #logger: Logger;
  #lease: LeaderLease | null = null;
  /** Monotonic time (performance.now) until which this node may act as leader. */
  #validUntil = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #tick: Promise<void> = Promise.resolve();

  /** Elects among nodes of `store`; tells `listener` about changes. */
  constructor(
    store: Store,
    nodeId: string,
    listener: LeaderListener,
    logger: Logger,
    timing: Partial<LeaderTiming> = {},
  ) {
    this.#store = store;
    this.#nodeId = nodeId;
    this.#listener = listener;
    this.#logger = logger;
    this.#timing = { ...DEFAULT_LEADER_TIMING, ...timing };
    if (!(this.#timing.renewMs > 0 && this.#timing.renewMs * 2 < this.#timing.ttlMs)) {
      throw new RangeError(
        `leader timing: renewMs (${this.#timing.renewMs}) must be positive and under half of ttlMs (${this.#timing.ttlMs})`,
      );
    }
  }

  /**
   * The lease, when this node leads right now by its own monotonic clock; null otherwise.
   * Leader work checks this before each step.
   */
  get lease(): LeaderLease | null {
    if (this.#lease && performance.now() >= this.#validUntil) {
      this.#stepDown("lease may have lapsed");
    }
    return this.#lease;
  }

  /** Starts the loop (first attempt at once). */
  start(): void {
    this.#schedule(0);
  }

  /** Steps down at once (a fenced write was refused, say); the loop goes on trying to lead. */
  stepDown(reason: string): void {
    this.#stepDown(reason);
  }

  /** Stops the loop and gives the lease up if held. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
    const lease = this.#lease;
    if (lease) {
      this.#stepDown("node stopping");
      await this.#store.resignLeadership(lease).catch((error) =>
        this.#logger.warn("could not resign leadership", { error: String(error) })
      );
    }
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#tick = this.#run().finally(() => this.#schedule(this.#timing.renewMs));
    }, ms);
  }

  async #run(): Promise<void> {
    const sentAt = performance.now();
    const held = this.lease; // steps down first if the lease may have lapsed while we slept
    try {
      if (held) {
        const renewed = await this.#store.renewLeadership(held, this.#timing.ttlMs);
        if (this.#lease !== held) return; // stepped down meanwhile
        if (!renewed) return this.#stepDown("lease renewal refused (lapsed or taken over)");
        this.#lease = renewed;
        this.#hold(sentAt);
      } else {
        const lease = await this.#store.acquireLeadership(this.#nodeId, this.#timing.ttlMs);
        if (!lease || this.#stopped) {
          if (lease) await this.#store.resignLeadership(lease);
          return;
        }
        this.#lease = lease;
        this.#hold(sentAt);
        this.#logger.info("elected leader", { node: this.#nodeId, epoch: lease.epoch });
        this.#listener.elected(lease);
      }
    } catch (error) {
      if (this.#lease) this.#stepDown(`lease renewal failed: ${String(error)}`);
    }
  }

  /**
   * After a request sent at `sentAt` succeeded, this node may lead for the lease length less a
   * margin of one renewal interval (clock drift, late timers); a watchdog steps down then even if
   * the next renewal is still hanging.
   */
  #hold(sentAt: number): void {
    this.#validUntil = sentAt + this.#timing.ttlMs - this.#timing.renewMs;
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(
      () => this.lease, // the getter steps down when the lease may have lapsed
      Math.max(this.#validUntil - performance.now(), 0) + 1,
    );
  }

  #stepDown(reason: string): void {
    const lease = this.#lease;
    if (!lease) return;
    this.#lease = null;
    this.#validUntil = 0;
    clearTimeout(this.#watchdog);
    this.#logger.warn("stepped down as leader", { node: this.#nodeId, epoch: lease.epoch, reason });
    this.#listener.deposed(reason);
  }
}
