/**
 * The lane picker: stride scheduling between the five lanes of a queue, with aging.
 *
 * The Redis store runs the same algorithm in Lua (`src/store/redis/lua/_lib.lua`,
 * `pick_lane`); both use the same integer arithmetic so they dispatch in the same order.
 *
 * - Weighted: each lane has a pass value; the non-empty lane with the smallest pass wins (ties go
 *   to the more urgent lane) and its pass grows by `STRIDE_UNIT / weight`. A lane that was empty
 *   rejoins at the queue's virtual time, so idleness does not bank credit. With every lane
 *   backlogged the dispatch shares equal the weights exactly over each cycle.
 * - Strict: the most urgent non-empty lane wins.
 * - Aging: a lane head that has waited `agingMs` or longer wins instead (the oldest such head by
 *   waiting time, then by job id in byte order: ULIDs sort by creation), but never twice in a
 *   row, so aging cannot take more than half of the dispatches.
 *
 * @module
 */
import { LANES } from "../job/lanes.ts";
import type { LaneConfig } from "./lane_config.ts";

/** Pass units per dispatch of a weight-1 lane. */
export const STRIDE_UNIT = 1_000_000;

/** Passes are rebased to zero once the virtual time passes this, to keep them exact integers. */
export const PASS_REBASE_AT = 1_000_000_000;

/** The scheduling memory of one queue, stored with the queue. */
export interface LanePickerState {
  /** Virtual time: the pass of the latest weighted pick. */
  vt: number;
  /** Pass value per lane, by lane index. */
  pass: number[];
  /** Whether the latest pick was an aging pick. */
  lastAged: boolean;
}

/** A fresh picker state. */
export function newPickerState(): LanePickerState {
  return { vt: 0, pass: LANES.map(() => 0), lastAged: false };
}

/** The stride of a lane with `weight`. */
export function strideOf(weight: number): number {
  return Math.floor(STRIDE_UNIT / weight);
}

/** The head job of a non-empty lane, as the picker sees it. */
export interface LaneHead {
  /** When the head job became due, so started waiting (its runAt, epoch ms). */
  since: number;
  /** Its id: breaks ties between heads that became due at the same time. */
  id: string;
}

/** True when `a` sorts before `b` in UTF-8 byte order (as Redis and Lua's byte loop compare). */
export function idBefore(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const cx = x[i]!.codePointAt(0)!;
    const cy = y[i]!.codePointAt(0)!;
    if (cx !== cy) return cx < cy;
  }
  return x.length < y.length;
}

/**
 * Picks the lane to dispatch from and updates `state` (`chooseLane`, then `advance`).
 *
 * @param heads per lane index, the lane's head job, or `undefined` when the lane is empty.
 * @returns the lane index, or -1 when every lane is empty.
 */
export function pickLane(
  state: LanePickerState,
  heads: readonly (LaneHead | undefined)[],
  config: LaneConfig,
  now: number,
): number {
  const choice = chooseLane(state, heads, config, now);
  if (choice.lane >= 0) advance(state, choice, config);
  return choice.lane;
}

/** A lane choice: the lane (-1: none) and whether aging chose it. */
export interface LaneChoice {
  /** Lane index, or -1. */
  lane: number;
  /** Chosen by aging. */
  aged: boolean;
}

/**
 * The lane the picker would dispatch from, without changing `state` (a caller that finds the
 * head cannot start, e.g. held by a limit, sets it aside and chooses again).
 */
export function chooseLane(
  state: LanePickerState,
  heads: readonly (LaneHead | undefined)[],
  config: LaneConfig,
  now: number,
): LaneChoice {
  let chosen = -1;
  let aged = false;
  if (config.agingMs !== null && !state.lastAged) {
    let oldest: LaneHead | undefined;
    for (let i = 0; i < LANES.length; i++) {
      const head = heads[i];
      if (head === undefined || now - head.since < config.agingMs) continue;
      if (
        oldest === undefined || head.since < oldest.since ||
        (head.since === oldest.since && idBefore(head.id, oldest.id))
      ) {
        oldest = head;
        chosen = i;
      }
    }
    aged = chosen !== -1;
  }
  if (chosen === -1) {
    let best = Infinity;
    for (let i = 0; i < LANES.length; i++) {
      if (heads[i] === undefined) continue;
      if (config.strict) {
        chosen = i;
        break;
      }
      const pass = Math.max(state.pass[i]!, state.vt);
      if (pass < best) {
        best = pass;
        chosen = i;
      }
    }
    if (chosen === -1) return { lane: -1, aged: false };
  }
  return { lane: chosen, aged };
}

/** Records a dispatch from `choice` in `state`. */
export function advance(state: LanePickerState, choice: LaneChoice, config: LaneConfig): void {
  const chosen = choice.lane;
  const weight = config.weights[LANES[chosen]!];
  const effective = Math.max(state.pass[chosen]!, state.vt);
  if (!choice.aged) state.vt = effective;
  state.pass[chosen] = effective + strideOf(weight);
  state.lastAged = choice.aged;
  if (state.vt > PASS_REBASE_AT) {
    const base = state.vt;
    state.pass = state.pass.map((p) => Math.max(p - base, 0));
    state.vt = 0;
  }
}
