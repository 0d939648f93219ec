/**
 * Priority lanes: every queue holds five lanes, served by weighted fair scheduling.
 *
 * @module
 */

/** The five lanes of every queue, from most to least urgent. Index order is priority order. */
export const LANES = ["critical", "high", "normal", "low", "batch"] as const;

/** The name of one priority lane. */
export type Lane = typeof LANES[number];

/** Default dispatch weights per lane (critical 16, high 8, normal 4, low 2, batch 1). */
export const DEFAULT_LANE_WEIGHTS: Readonly<Record<Lane, number>> = Object.freeze({
  critical: 16,
  high: 8,
  normal: 4,
  low: 2,
  batch: 1,
});

/** The lane a job goes to when its definition and its enqueue options name none. */
export const DEFAULT_LANE: Lane = "normal";

/** True when `value` names one of the five lanes. */
export function isLane(value: unknown): value is Lane {
  return typeof value === "string" && (LANES as readonly string[]).includes(value);
}

/** The priority index of a lane: 0 for `critical` up to 4 for `batch`. */
export function laneIndex(lane: Lane): number {
  return LANES.indexOf(lane);
}
