/**
 * Random traces for the differential fuzz: a seed gives a retention setting and a sequence of
 * operations, each kind drawn by weight (arguments: `op_generator.ts`).
 *
 * @module
 */
import type { RetentionConfig } from "../../src/store/store.ts";
import { OpGenerator } from "./op_generator.ts";
import type { Op, OpKind } from "./ops.ts";
import { Rng } from "./prng.ts";

/** A generated trace: everything needed to replay it. */
export interface Trace {
  /** The seed it was generated from. */
  seed: number;
  /** Retention both stores are built with. */
  retention: RetentionConfig;
  /** The operations, in order. */
  ops: Op[];
}

/** How often each operation is chosen (relative weights). */
const WEIGHTS: Readonly<Record<OpKind, number>> = {
  enqueue: 18,
  reserve: 16,
  start: 5,
  complete: 9,
  fail: 8,
  release: 4,
  extend: 4,
  cancel: 3,
  changePriority: 3,
  tick: 10,
  reclaim: 5,
  promote: 2,
  steal: 5,
  register: 3,
  heartbeat: 3,
  deregister: 1,
  acquire: 3,
  renew: 2,
  resign: 1,
  reap: 4,
  listJobs: 2,
  listDead: 2,
  requeueDead: 3,
  purgeDead: 2,
  pause: 2,
  resume: 3,
  configure: 1,
  limits: 2,
};

/** Reserve options that can be left out with `without`, like operation kinds. */
export const RESERVE_FEATURES: readonly string[] = [
  "prefetch",
  "lanes",
  "emptyLanes",
  "lowerLaneLimit",
];

/** What to generate. */
export interface GeneratorOptions {
  /** Fewest and most operations per trace. */
  length: [number, number];
  /** Operation kinds and reserve features (`RESERVE_FEATURES`) never generated. */
  without: ReadonlySet<string>;
}

/** The default: 30 to 100 operations, everything included. */
export const DEFAULT_GENERATOR: GeneratorOptions = { length: [30, 100], without: new Set() };

/** The trace of `seed`. */
export function generateTrace(seed: number, options: GeneratorOptions = DEFAULT_GENERATOR): Trace {
  const rng = new Rng(seed);
  const retention = rng.chance(0.5)
    ? { keepFinished: rng.int(1, 6), keepDead: rng.int(1, 4) }
    : { keepFinished: 10_000, keepDead: 10_000 };
  const weights = Object.fromEntries(
    Object.entries(WEIGHTS).map(([kind, w]) => [kind, options.without.has(kind) ? 0 : w]),
  ) as Record<OpKind, number>;
  const gen = new OpGenerator(rng, options.without);
  const ops = Array.from({ length: rng.int(...options.length) }, () => {
    let kind = rng.weighted(weights);
    while (!gen.ready(kind)) kind = rng.weighted(weights);
    return gen.op(kind);
  });
  return { seed, retention, ops };
}
