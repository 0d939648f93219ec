/**
 * Lane configuration as stored in a queue's meta hash: fields `w0`..`w4` (weights by lane
 * index), `strict` ("1"/"0"), `aging` (ms, -1 when aging is off) and the queue's rate limit
 * `rmax`, `rdur` ("0" when it has none). A field never written reads as the default of
 * `defaultLaneConfig`. Function limits are stored in one hash, a field per function.
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
import type { FunctionLimits } from "../../job/limits.ts";
import { text } from "./record.ts";

/** Meta hash fields of the lane configuration, in the order used by the scripts. */
export const CONFIG_FIELDS: readonly string[] = [
  "w0",
  "w1",
  "w2",
  "w3",
  "w4",
  "strict",
  "aging",
  "rmax",
  "rdur",
];

/** A configuration as the stored field values (see `CONFIG_FIELDS`). */
export function encodeLaneConfig(config: LaneConfig): string[] {
  return [
    ...LANES.map((lane) => String(config.weights[lane])),
    config.strict ? "1" : "0",
    String(config.agingMs ?? -1),
    String(config.rateLimit?.max ?? 0),
    String(config.rateLimit?.duration ?? 0),
  ];
}

/** The default configuration as stored field values (passed to `reserve.lua`). */
export const DEFAULT_CONFIG_ARGS: readonly string[] = encodeLaneConfig(defaultLaneConfig()).slice(
  0,
  7,
);

/** The configuration from the stored values (null or empty where never written). */
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
  const rateMax = Number(at(7) ?? 0);
  if (rateMax > 0) config.rateLimit = { max: rateMax, duration: Number(at(8)) };
  return config;
}

/**
 * The ARGV of `configure.lua` for `input`: one value per `CONFIG_FIELDS`, "" where the input keeps the current
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
    input.rateLimit === undefined ? "" : String(input.rateLimit?.max ?? 0),
    input.rateLimit === undefined ? "" : String(input.rateLimit?.duration ?? 0),
  ];
}

/**
 * Limits as stored by the Redis store: `rateMax,rateDurationMs,concurrencyMax,perKey` (0 = none;
 * perKey "1" or "0"); "" for none at all.
 */
export function encodeFunctionLimits(limits: FunctionLimits | null): string {
  if (limits === null || (limits.rate === null && limits.concurrency === null)) return "";
  const { rate, concurrency, perKey } = limits;
  return `${rate?.max ?? 0},${rate?.duration ?? 0},${concurrency ?? 0},${perKey ? 1 : 0}`;
}

/** Limits from their stored form (see `encodeFunctionLimits`). */
export function decodeFunctionLimits(stored: string): FunctionLimits {
  const [max, duration, concurrency, perKey] = stored.split(",").map(Number);
  return {
    rate: max! > 0 ? { max: max!, duration: duration! } : null,
    concurrency: concurrency! > 0 ? concurrency! : null,
    perKey: perKey === 1,
  };
}
