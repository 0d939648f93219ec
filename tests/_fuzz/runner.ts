/**
 * Runs a trace against both stores in lockstep: each operation on the memory store, then on the
 * Redis store, at the same clock time; their replies must be equal (after `plain` and the
 * token names of `handles.ts`), and so must their snapshots every few steps and at the end.
 * Stops at the first difference.
 *
 * @module
 */
import type { Reservation } from "../../src/job/job.ts";
import { Status, type StatusCode } from "../../src/job/status.ts";
import type { ReclaimOutcome } from "../../src/store/store.ts";
import type { ReapOutcome } from "../../src/store/cluster.ts";
import { applyOp } from "./apply.ts";
import { firstDifference, plain, valueAt } from "./compare.ts";
import type { Trace } from "./generator.ts";
import { leaseLabel, Ledger } from "./handles.ts";
import { describeOp, type Op } from "./ops.ts";
import { snapshot } from "./snapshot.ts";
import type { PairFactory, Side } from "./stores.ts";

/** Where the two stores first disagreed. */
export interface Divergence {
  /** Index of the operation whose reply differed, or after which the states differed. */
  step: number;
  /** "reply" (the operation's reply) or "state" (a snapshot). */
  what: "reply" | "state";
  /** Path of the first difference inside the reply or snapshot. */
  path: string;
  /** The memory store's value there. */
  memory: unknown;
  /** The Redis store's value there. */
  redis: unknown;
  /** What kind of difference this is, for telling distinct ones apart (ids and numbers elided). */
  signature: string;
}

/** One operation as it ran: its text with references resolved, and the memory store's reply. */
export interface Step {
  /** The operation, with leases shown as `id@T<n>` and leader leases as `L<n>`. */
  text: string;
  /** The memory store's reply (plain), or the error it threw. */
  reply: unknown;
}

/** What running a trace gave. */
export interface RunResult {
  /** The first difference, or null when the stores agreed throughout. */
  divergence: Divergence | null;
  /** The operations that ran, up to and including the diverging one. */
  steps: Step[];
}

/** How often the runner compares snapshots (besides the end of the trace). */
export const SNAPSHOT_EVERY = 20;

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

/** Runs `trace` on a fresh store pair from `open`. */
export async function runTrace(trace: Trace, open: PairFactory): Promise<RunResult> {
  const pair = open(trace.retention);
  const ledger = new Ledger();
  const steps: Step[] = [];
  try {
    for (const [i, op] of trace.ops.entries()) {
      const text = describeOp(
        op,
        (ref) => leaseLabel(ledger.lease(ref), pair.memory.book),
        (ref) => `L${ledger.leader(ref) ?? "?"}${ref.forge ? " (token forged)" : ""}`,
      );
      if (op.kind === "tick") {
        pair.clock.advance(op.ms);
        steps.push({ text, reply: `now +${op.ms}` });
      } else {
        const now = pair.clock.now();
        const memory = await attempt(op, pair.memory, ledger, now);
        const redis = await attempt(op, pair.redis, ledger, now);
        steps.push({ text, reply: memory.ok ? memory.value : `threw ${memory.error}` });
        const differs = compare(i, "reply", op.kind, memory, redis);
        if (differs) return { divergence: differs, steps };
        if (memory.ok) observe(ledger, op, memory.value);
      }
      const last = i === trace.ops.length - 1;
      if (last || (i + 1) % SNAPSHOT_EVERY === 0) {
        const states = await Promise.all([pair.memory, pair.redis].map((s) => state(s)));
        const stateDiffers = compare(i, "state", "state", states[0]!, states[1]!);
        if (stateDiffers) return { divergence: stateDiffers, steps };
      }
    }
    return { divergence: null, steps };
  } finally {
    await pair.close();
  }
}

async function attempt(op: Op, side: Side, ledger: Ledger, now: number): Promise<Outcome> {
  try {
    return { ok: true, value: plain(await applyOp(op, side, ledger, now)) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

async function state(side: Side): Promise<Outcome> {
  try {
    return { ok: true, value: await snapshot(side.store) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The divergence between two outcomes, or null when both threw or both replied the same. */
function compare(
  step: number,
  what: Divergence["what"],
  kind: string,
  memory: Outcome,
  redis: Outcome,
): Divergence | null {
  if (!memory.ok && !redis.ok) return null;
  if (!memory.ok || !redis.ok) {
    const shown = (o: Outcome): unknown => o.ok ? o.value : `threw ${o.error}`;
    const signature = `${kind}: ${memory.ok ? "redis" : "memory"} threw`;
    return { step, what, path: "", memory: shown(memory), redis: shown(redis), signature };
  }
  const path = firstDifference(memory.value, redis.value);
  if (path === null) return null;
  return {
    step,
    what,
    path,
    memory: valueAt(memory.value, path),
    redis: valueAt(redis.value, path),
    signature: `${kind}${elide(path)}`,
  };
}

/** `path` with job ids, handle names and indexes elided, so one bug has one signature. */
function elide(path: string): string {
  return path.replace(/\[\d+\]/g, "[]").replace(/\.j(?:\d+|-[a-z]+)(?=[.[]|$)/g, ".<job>")
    .replace(/^\.queues\.\w+/, ".queues.<queue>");
}

/** Follows which leases ended, from a reply both stores agreed on. */
function observe(ledger: Ledger, op: Op, reply: unknown): void {
  const resolved = (refs: { pick: number; live: boolean }[]) => refs.map((r) => ledger.lease(r));
  switch (op.kind) {
    case "reserve":
      ledger.leased((reply as { leases: Reservation[] }).leases.map((r) => r.id));
      return;
    case "steal":
      ledger.leased((reply as Reservation[]).map((r) => r.id));
      return;
    case "acquire":
      if (reply !== null) ledger.acquired();
      return;
    case "reclaim":
    case "reap": {
      const outcome = op.kind === "reap"
        ? (reply as { outcome: ReapOutcome }).outcome
        : reply as ReclaimOutcome;
      for (const id of [...outcome.requeued, ...outcome.dead]) ledger.closeJob(id);
      return;
    }
  }
  const refs = op.kind === "fail" || op.kind === "release"
    ? resolved(op.items.map((item) => item.lease))
    : op.kind === "start" || op.kind === "complete" || op.kind === "extend"
    ? resolved(op.leases)
    : [];
  const codes = (reply as (StatusCode | { status: StatusCode })[] | null) ?? [];
  refs.forEach((ref, i) => {
    const code = codes[i];
    const status = typeof code === "object" ? code.status : code;
    const ended = op.kind === "start" || op.kind === "extend"
      ? status !== Status.OK && status !== Status.CANCEL_REQUESTED
      : status === Status.OK;
    if (ref.handle !== null && !ref.forge && ended) ledger.close(ref.handle);
  });
}
