/**
 * Per-queue scheduling configuration: lane weights, strict mode, aging bound.
 *
 * @module
 */
import { DEFAULT_LANE_WEIGHTS, type Lane, LANES } from "../job/lanes.ts";
import { checkRateLimit, type RateLimit } from "../job/limits.ts";

/** How a queue chooses between its lanes. Stored with the queue, so every node agrees. */
export interface LaneConfig {
  /** Dispatch weight per lane (positive integers); ignored in strict mode. */
  weights: Record<Lane, number>;
  /** Serve lanes in strict priority order instead of by weight. */
  strict: boolean;
  /**
   * A job at the head of its lane that has waited this long (ms) or longer is served next, ahead of
   * the weighted order (at most every other dispatch). `null` turns aging off.
   */
  agingMs: number | null;
  /** At most this many starts from the queue per window, across every node; null for none. */
  rateLimit: RateLimit | null;
}

/** Partial configuration accepted from users; missing fields keep their current values. */
export interface LaneConfigInput {
  /** Weights for some or all lanes. */
  weights?: Partial<Record<Lane, number>>;
  /** Strict priority instead of weighted fair scheduling. */
  strict?: boolean;
  /** Aging bound in ms, or `null` to turn aging off. */
  agingMs?: number | null;
  /** The queue's rate limit across every node, or `null` to remove it. */
  rateLimit?: RateLimit | null;
}

/** Default aging bound: five minutes. */
export const DEFAULT_AGING_MS = 5 * 60_000;

/** Largest lane weight accepted. */
export const MAX_LANE_WEIGHT = 1_000_000;

/** The configuration of a queue nobody configured. */
export function defaultLaneConfig(): LaneConfig {
  return {
    weights: { ...DEFAULT_LANE_WEIGHTS },
    strict: false,
    agingMs: DEFAULT_AGING_MS,
    rateLimit: null,
  };
}

/** Applies `input` over `base` after checking it; throws `TypeError`/`RangeError` on bad values. */
export function mergeLaneConfig(base: LaneConfig, input: LaneConfigInput): LaneConfig {
  const known = new Set(["weights", "strict", "agingMs", "rateLimit"]);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new TypeError(`queue config: unknown option ${JSON.stringify(key)}`);
  }
  const weights = { ...base.weights };
  for (const [lane, weight] of Object.entries(input.weights ?? {})) {
    if (!(LANES as readonly string[]).includes(lane)) {
      throw new TypeError(`queue config: unknown lane ${JSON.stringify(lane)} in weights`);
    }
    if (!Number.isInteger(weight) || weight < 1 || weight > MAX_LANE_WEIGHT) {
      throw new RangeError(
        `queue config: weight of lane ${lane} must be an integer from 1 to ${MAX_LANE_WEIGHT}, got ${weight}`,
      );
    }
    weights[lane as Lane] = weight;
  }
  if (input.strict !== undefined && typeof input.strict !== "boolean") {
    throw new TypeError(
      `queue config: strict must be a boolean, got ${JSON.stringify(input.strict)}`,
    );
  }
  const agingMs = input.agingMs === undefined ? base.agingMs : input.agingMs;
  if (agingMs !== null && !(Number.isInteger(agingMs) && agingMs >= 0)) {
    throw new RangeError(
      `queue config: agingMs must be a whole number of ms >= 0 or null, got ${agingMs}`,
    );
  }
  const rateLimit = input.rateLimit === undefined
    ? base.rateLimit
    : input.rateLimit === null
    ? null
    : checkRateLimit(input.rateLimit, "queue config: rateLimit");
  return { weights, strict: input.strict ?? base.strict, agingMs, rateLimit };
}
