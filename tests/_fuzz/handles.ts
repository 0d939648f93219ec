/**
 * Logical handles for what the stores hand out with random tokens. The n-th lease handed out in
 * a trace (by `reserve` or `steal`) is handle `T<n>` in both stores, and the n-th leader lease is
 * `L<n>`; replies are compared with tokens replaced by these names.
 *
 * `Ledger` is shared by both stores: it turns the trace's symbolic references into handle
 * numbers, and follows which leases are still live from the (compared, hence equal) replies, so
 * most references hit a live lease. `HandleBook` is per store: the real tokens behind the names.
 *
 * @module
 */
import type { Reservation } from "../../src/job/job.ts";
import type { LeaderLease } from "../../src/store/cluster.ts";
import type { LeaderRef, LeaseRef } from "./ops.ts";

/** A token no store ever hands out. */
export const FORGED_TOKEN = "forged-token";
/** A job id no trace enqueues, presented with a real token. */
export const FORGED_ID = "j-forged";

/** What a lease reference resolved to: a handle number (or none), and whether it is forged. */
export interface ResolvedLease {
  /** The handle, or null when the trace has none yet. */
  handle: number | null;
  /** Which part is forged, if any. */
  forge?: "token" | "id";
}

/** The shared view of the handles of one trace. */
export class Ledger {
  #jobs: string[] = [];
  #open: boolean[] = [];
  #leaders = 0;

  /** The handle `ref` points at: among live ones when asked and any exist, else among all. */
  lease(ref: LeaseRef): ResolvedLease {
    const all = this.#jobs.map((_, i) => i);
    const live = all.filter((i) => this.#open[i]);
    const from = ref.live && live.length > 0 ? live : all;
    const handle = from.length === 0 ? null : from[ref.pick % from.length]!;
    return ref.forge ? { handle, forge: ref.forge } : { handle };
  }

  /** The leader handle `ref` points at, or null when none was acquired yet. */
  leader(ref: LeaderRef): number | null {
    return this.#leaders === 0 ? null : Math.max(this.#leaders - 1 - ref.back, 0);
  }

  /** Records new leases (handles numbered from the current count) of these jobs. */
  leased(jobs: readonly string[]): void {
    for (const id of jobs) {
      this.closeJob(id);
      this.#jobs.push(id);
      this.#open.push(true);
    }
  }

  /** Records a leader lease acquired. */
  acquired(): void {
    this.#leaders++;
  }

  /** Marks a lease as ended. */
  close(handle: number): void {
    this.#open[handle] = false;
  }

  /** Marks every lease of job `id` as ended. */
  closeJob(id: string): void {
    this.#jobs.forEach((job, i) => {
      if (job === id) this.#open[i] = false;
    });
  }
}

/** The real leases one store handed out, by handle number. */
export class HandleBook {
  #leases: { id: string; token: string }[] = [];
  #leaders: LeaderLease[] = [];

  /** Records reservations as the next handles; returns them with tokens replaced by names. */
  addLeases(reservations: readonly Reservation[]): Reservation[] {
    return reservations.map((r) => {
      this.#leases.push({ id: r.id, token: r.token });
      return { ...r, token: `T${this.#leases.length - 1}` };
    });
  }

  /** Records a leader lease (when not null); returns it with its token replaced by its name. */
  addLeader(lease: LeaderLease | null): LeaderLease | null {
    if (lease === null) return null;
    this.#leaders.push(lease);
    return { ...lease, token: `L${this.#leaders.length - 1}` };
  }

  /** The id and token to present for `resolved`. */
  proof(resolved: ResolvedLease): { id: string; token: string } {
    const lease = resolved.handle === null ? undefined : this.#leases[resolved.handle];
    const id = lease?.id ?? FORGED_ID;
    if (resolved.forge === "id") return { id: FORGED_ID, token: lease?.token ?? FORGED_TOKEN };
    return { id, token: resolved.forge === "token" || !lease ? FORGED_TOKEN : lease.token };
  }

  /** The leader lease of `handle` (a forged one when null), with a forged token if asked. */
  leader(handle: number | null, forge: boolean): LeaderLease {
    const lease = handle === null ? undefined : this.#leaders[handle];
    const base = lease ?? { node: "w0", token: FORGED_TOKEN, epoch: 0, expiresAt: 0 };
    return forge ? { ...base, token: FORGED_TOKEN } : base;
  }

  /** The name of a leader lease's token (`L<n>`), or "L?" when it is not one handed out. */
  leaderName(token: string): string {
    const n = this.#leaders.findIndex((lease) => lease.token === token);
    return n < 0 ? "L?" : `L${n}`;
  }
}

/** A resolved lease as text: "j3@T2", "j-forged@T2", "j3@forged-token". */
export function leaseLabel(resolved: ResolvedLease, book: HandleBook): string {
  const { id } = book.proof(resolved);
  const handle = resolved.handle === null ? "none" : `T${resolved.handle}`;
  return resolved.forge === "token" || resolved.handle === null
    ? `${id}@${FORGED_TOKEN}`
    : `${id}@${handle}`;
}
