/**
 * Lane configuration as stored in a queue's meta hash: fields `w0`..`w4` (weights by lane
 * index), `strict` ("1"/"0") and `aging` (ms, -1 when aging is off). A field never written reads
 * as the default of `defaultLaneConfig`.
 *
 * @module
 */
import { LANES } from "../../job/lanes.ts";
import {
  defaultLaneConfig,
  type LaneConfig,
  type LaneConfigInput,
  mergeLaneConfig,
} from "../../schedule/lane_config.ts";
import { text } from "./record.ts";

/** Meta hash fields of the lane configuration, in the order used by the scripts. */
export const CONFIG_FIELDS: readonly string[] = ["w0", "w1", "w2", "w3", "w4", "strict", "aging"];

/** A configuration as the seven stored field values. */
export function encodeLaneConfig(config: LaneConfig): string[] {
  return [
    ...LANES.map((lane) => String(config.weights[lane])),
    config.strict ? "1" : "0",
    String(config.agingMs ?? -1),
  ];
}

/** The default configuration as stored field values (passed to `reserve.lua`). */
export const DEFAULT_CONFIG_ARGS: readonly string[] = encodeLaneConfig(defaultLaneConfig());

/** The configuration from the seven stored values (null or empty where never written). */
export function decodeLaneConfig(values: readonly unknown[]): LaneConfig {
  const config = defaultLaneConfig();
  const at = (i: number): string | null => {
    const v = values[i];
    return v === null || v === undefined || text(v) === "" ? null : text(v);
  };
  LANES.forEach((lane, i) => {
    const w = at(i);
    if (w !== null) config.weights[lane] = Number(w);
  });
  const strict = at(5);
  if (strict !== null) config.strict = strict === "1";
  const aging = at(6);
  if (aging !== null) config.agingMs = Number(aging) < 0 ? null : Number(aging);
  return config;
}

/**
 * The ARGV of `configure.lua` for `input`: seven values, "" where the input keeps the current
 * value. Checks `input` first (throws like `mergeLaneConfig`); the merge itself happens in the
 * script, atomically over the stored configuration.
 */
export function configureArgs(input: LaneConfigInput): string[] {
  mergeLaneConfig(defaultLaneConfig(), input);
  return [
    ...LANES.map((lane) => {
      const w = input.weights?.[lane];
      return w === undefined ? "" : String(w);
    }),
    input.strict === undefined ? "" : input.strict ? "1" : "0",
    input.agingMs === undefined ? "" : String(input.agingMs ?? -1),
  ];
}
