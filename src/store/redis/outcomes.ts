/**
 * The Redis store's outcome verbs, on leased jobs: `complete`, `fail` (retry or dead), `release`
 * (hand back without spending the attempt) and `extendLeases`. Scripts: `lua/complete.lua`,
 * `fail.lua`, `release.lua`, `extend_leases.lua`.
 *
 * @module
 */
import type { StatusCode } from "../../job/status.ts";
import type { Completion, Failure, LeaseProof, Release, TransitionOutcome } from "../store.ts";
import { Frames, outcome, statuses, toBuffer } from "./record.ts";
import type { ScriptHost } from "./script_host.ts";
import type { ScriptArg } from "./scripts.ts";

/** `Store.complete` on Redis. */
export async function complete(
  h: ScriptHost,
  items: readonly Completion[],
): Promise<StatusCode[]> {
  if (items.length === 0) return [];
  const args: ScriptArg[] = [h.now(), h.opts];
  for (const item of items) {
    args.push(item.id, item.token, item.result === null ? "" : toBuffer(item.result));
  }
  return statuses(await h.run("complete", args));
}

/** `Store.fail` on Redis. */
export async function fail(
  h: ScriptHost,
  items: readonly Failure[],
): Promise<TransitionOutcome[]> {
  if (items.length === 0) return [];
  const args: ScriptArg[] = [h.now(), h.opts];
  for (const item of items) args.push(item.id, item.token, item.error, item.retryDelay ?? "");
  const reply = new Frames(await h.run("fail", args));
  return items.map(() => outcome(reply.text(), reply.text()));
}

/** `Store.release` on Redis. */
export async function release(h: ScriptHost, items: readonly Release[]): Promise<StatusCode[]> {
  if (items.length === 0) return [];
  const args: ScriptArg[] = [h.now(), h.opts];
  for (const item of items) {
    args.push(item.id, item.token, item.delay ?? "", item.throttle ?? "");
  }
  return statuses(await h.run("release", args));
}

/** `Store.extendLeases` on Redis. */
export async function extendLeases(
  h: ScriptHost,
  items: readonly LeaseProof[],
  leaseMs: number,
): Promise<StatusCode[]> {
  if (items.length === 0) return [];
  const args: ScriptArg[] = [h.now(), leaseMs];
  for (const item of items) args.push(item.id, item.token);
  return statuses(await h.run("extendLeases", args));
}
