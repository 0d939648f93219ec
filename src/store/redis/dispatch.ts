/**
 * The Redis store's dispatch verbs: `reserve` (lease jobs to start now, plus prefetch), `start`
 * (start prefetched jobs), `steal` (take prefetched jobs from a busy node), and `idleWait` (when
 * the next delayed job is due). Scripts: `lua/reserve.lua`, `start.lua`, `steal.lua`,
 * `idle_wait.lua`.
 *
 * @module
 */
import type { Reservation } from "../../job/job.ts";
import { newLeaseToken } from "../../job/ids.ts";
import type { StatusCode } from "../../job/status.ts";
import { PROMOTE_BATCH, reserveShape, reservesNothing } from "../_shared.ts";
import type { IdleWait, LeaseProof, ReserveRequest, StealRequest } from "../store.ts";
import { DEFAULT_CONFIG_ARGS } from "./config.ts";
import { decodeIdleWait, decodeReservations, statuses, text } from "./record.ts";
import type { ScriptHost } from "./script_host.ts";
import type { ScriptArg } from "./scripts.ts";

/** `Store.reserve` on Redis. */
export async function reserve(h: ScriptHost, request: ReserveRequest): Promise<Reservation[]> {
  const shape = reserveShape(request);
  const { started, prefetch, lanes, lowerLimit } = shape;
  if (reservesNothing(shape, request.queues.length)) return [];
  const terms = { leaseMs: request.leaseMs, tokenBase: request.callId ?? newLeaseToken() };
  const args: ScriptArg[] = [
    h.now(),
    h.opts,
    request.worker,
    started,
    terms.leaseMs,
    terms.tokenBase,
    PROMOTE_BATCH,
    ...DEFAULT_CONFIG_ARGS,
    prefetch,
    lanes === undefined ? "" : lanes.join(""),
    lowerLimit ?? "",
    request.onIdle ? "1" : "",
    request.handoffMs === undefined ? "" : Math.max(Math.ceil(request.handoffMs), 1),
    ...request.queues,
  ];
  return decodeReservations(await h.run("reserve", args), terms, request.onIdle);
}

/** `Store.start` on Redis. */
export async function start(h: ScriptHost, items: readonly LeaseProof[]): Promise<StatusCode[]> {
  if (items.length === 0) return [];
  const args: ScriptArg[] = [h.now(), h.opts];
  for (const item of items) args.push(item.id, item.token);
  return statuses(await h.run("start", args));
}

/** `Store.steal` on Redis. */
export async function steal(h: ScriptHost, request: StealRequest): Promise<Reservation[]> {
  if (request.count <= 0 || request.queues.length === 0) return [];
  const terms = { leaseMs: request.leaseMs, tokenBase: request.callId ?? newLeaseToken() };
  const args: ScriptArg[] = [
    h.now(),
    h.opts,
    request.worker,
    request.count,
    terms.leaseMs,
    terms.tokenBase,
    ...new Set(request.queues),
  ];
  return decodeReservations(await h.run("steal", args), terms);
}

/** `Store.idleWait` on Redis. */
export async function idleWait(
  h: ScriptHost,
  queues: readonly string[],
  worker: string,
): Promise<IdleWait> {
  return decodeIdleWait(text(await h.run("idleWait", [h.now(), worker, ...queues])));
}
