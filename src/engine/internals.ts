/**
 * Internal access to an engine's parts, for the testing kit (`testing.ts`), which runs attempts
 * and fires cron ticks itself, step by step, instead of through a worker node and its timers.
 * Not part of the public API: `mod.ts` does not export it.
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import type { JobDefinition } from "../registry/definition.ts";
import type { WorkerRuntime } from "../worker/runtime.ts";

/** What the testing kit reads of an engine. */
export interface EngineInternals {
  /** The services this engine's workers use: its store, codecs, clock, events, functions. */
  readonly runtime: WorkerRuntime;
  /** Every registered definition. */
  definitions(): JobDefinition[];
  /** Resolves when the failure callbacks (`onFailure`, `onDead`) of failures so far have run. */
  failuresSettled(): Promise<void>;
}

let reader: ((engine: Engine) => EngineInternals) | undefined;

/** Called once, by the `Engine` class itself, with the function that reads its parts. */
export function provideEngineInternals(read: (engine: Engine) => EngineInternals): void {
  reader = read;
}

/** The internals of `engine`; a `TypeError` for anything but an engine. */
export function engineInternals(engine: Engine): EngineInternals {
  if (!reader) throw new TypeError("engineInternals: the engine module is not loaded");
  return reader(engine);
}
