/**
 * The lease keeper of a worker node: every third of the lease length it renews every lease the
 * node holds (running and prefetched jobs) in one store call, and it hears cancellations at once
 * (the renewal tells them too, later). A lease the store no longer grants is reported as lost.
 *
 * @module
 */
import type { Reservation } from "../job/job.ts";
import { Status } from "../job/status.ts";
import type { WorkerRuntime } from "./runtime.ts";

/** What the lease keeper needs of its node. */
export interface LeaseHolder {
  /** The node id (whose cancellations it hears). */
  readonly worker: string;
  /** The lease length in ms. */
  readonly leaseMs: number;
  /** The jobs whose leases the node holds: running (not detached), then prefetched. */
  held(): Reservation[];
  /** Cancellation of running job `id` was requested. */
  cancelRequested(id: string): void;
  /** The lease of `job` is gone (reclaimed or stolen). */
  lost(job: Reservation): void;
}

/** Renews a node's leases; see the module doc. */
export class LeaseKeeper {
  #runtime: WorkerRuntime;
  #holder: LeaseHolder;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopCancels: () => void = () => {};

  /** A keeper for `holder`'s leases; nothing runs until `start()`. */
  constructor(runtime: WorkerRuntime, holder: LeaseHolder) {
    this.#runtime = runtime;
    this.#holder = holder;
  }

  /** Starts renewing, and listening for cancellations. */
  start(): void {
    const every = Math.max(Math.floor(this.#holder.leaseMs / 3), 1);
    this.#timer = setInterval(() => this.#renew(), every);
    // a cancellation reaches the node at once; the lease renewal tells it too, later
    this.#stopCancels = this.#runtime.store.onCancelRequested(this.#holder.worker, (id) => {
      this.#holder.cancelRequested(id);
    });
  }

  /** Stops renewing and listening. */
  stop(): void {
    clearInterval(this.#timer);
    this.#stopCancels();
  }

  async #renew(): Promise<void> {
    const held = this.#holder.held();
    if (held.length === 0) return;
    try {
      const statuses = await this.#runtime.store.extendLeases(
        held.map(({ id, token }) => ({ id, token })),
        this.#holder.leaseMs,
      );
      statuses.forEach((status, i) => {
        const job = held[i]!;
        if (status === Status.CANCEL_REQUESTED) this.#holder.cancelRequested(job.id);
        else if (status !== Status.OK) this.#holder.lost(job);
      });
    } catch (error) {
      this.#runtime.logger.warn("lease renewal failed; will retry", { error: String(error) });
    }
  }
}
