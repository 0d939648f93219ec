/**
 * Simpler variants of one operation, for the shrinker: fewer items in a batch, fewer queues,
 * optional reserve settings dropped, no delays.
 *
 * @module
 */
import type { Op } from "./ops.ts";

/** Variants of `op` that do less, simplest changes first; empty when there is none. */
export function simplerVariants(op: Op): Op[] {
  switch (op.kind) {
    case "enqueue":
      return [
        ...without(op.jobs).map((jobs) => ({ ...op, jobs })),
        ...op.jobs.flatMap((job, i) =>
          job.delayMs !== 0 || job.backoff !== undefined
            ? [{ ...op, jobs: op.jobs.with(i, { ...job, delayMs: 0, backoff: undefined }) }]
            : []
        ),
      ];
    case "reserve": {
      const out: Op[] = without(op.queues).map((queues) => ({ ...op, queues }));
      for (const key of ["prefetch", "lanes", "lowerLaneLimit"] as const) {
        if (op[key] !== undefined) out.push({ ...op, [key]: undefined });
      }
      if (op.count > 1) out.push({ ...op, count: 1 });
      return out;
    }
    case "start":
    case "complete":
    case "extend":
      return without(op.leases).map((leases) => ({ ...op, leases }));
    case "fail":
      return without(op.items).map((items) => ({ ...op, items }));
    case "release":
      return without(op.items).map((items) => ({ ...op, items }));
    case "promote":
    case "steal":
    case "register":
      return without(op.queues).map((queues) => ({ ...op, queues }));
    default:
      return [];
  }
}

/** `items` with one element left out, for each element; nothing when it has one at most. */
function without<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [];
  return items.map((_, i) => items.filter((_, j) => j !== i));
}
