/**
 * The fuzz run's settings, from the environment:
 *
 * - `SLUICE_FUZZ_TRACES`: how many traces (default 300), seeds from `SLUICE_FUZZ_FIRST_SEED`
 *   (default 1) on.
 * - `SLUICE_FUZZ_SEED`: replay this one seed only, printing its whole trace.
 * - `SLUICE_FUZZ_WITHOUT`: operation kinds and reserve features (`prefetch`, `lanes`,
 *   `emptyLanes`, `lowerLaneLimit`) to leave out, comma-separated; to look past a known
 *   divergence (e.g. `SLUICE_FUZZ_WITHOUT=lowerLaneLimit,emptyLanes`).
 * - `SLUICE_FUZZ_LENGTH`: operations per trace as `min-max` (default 30-100).
 * - `SLUICE_FUZZ_SHRINK`: how many distinct divergences to shrink and print (default 3).
 *
 * @module
 */
import { DEFAULT_GENERATOR, type GeneratorOptions } from "./generator.ts";

/** Settings of one fuzz run. */
export interface FuzzConfig {
  /** The seeds to run, in order. */
  seeds: number[];
  /** True when replaying one seed (`SLUICE_FUZZ_SEED`). */
  replay: boolean;
  /** What the generator makes. */
  generator: GeneratorOptions;
  /** Distinct divergences to shrink and print. */
  shrink: number;
}

function whole(name: string, fallback: number): number {
  const text = Deno.env.get(name);
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${name} must be a whole number >= 0, got ${JSON.stringify(text)}`);
  }
  return n;
}

function lengths(): [number, number] {
  const text = Deno.env.get("SLUICE_FUZZ_LENGTH");
  if (text === undefined || text === "") return DEFAULT_GENERATOR.length;
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (!match || Number(match[1]) > Number(match[2])) {
    throw new RangeError(`SLUICE_FUZZ_LENGTH must be min-max, got ${JSON.stringify(text)}`);
  }
  return [Number(match[1]), Number(match[2])];
}

/** Reads the settings from the environment. */
export function fuzzConfig(): FuzzConfig {
  const without = new Set(
    (Deno.env.get("SLUICE_FUZZ_WITHOUT") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
  );
  const generator = { length: lengths(), without };
  const shrink = whole("SLUICE_FUZZ_SHRINK", 3);
  if (Deno.env.get("SLUICE_FUZZ_SEED")) {
    return { seeds: [whole("SLUICE_FUZZ_SEED", 0)], replay: true, generator, shrink };
  }
  const first = whole("SLUICE_FUZZ_FIRST_SEED", 1);
  const seeds = Array.from({ length: whole("SLUICE_FUZZ_TRACES", 300) }, (_, i) => first + i);
  return { seeds, replay: false, generator, shrink };
}
