/**
 * What the Redis store's verbs share: the script runner, the `now` argument and the store options
 * as the scripts take them. The verbs live by family, as in the memory store: `dispatch.ts`,
 * `outcomes.ts`, `recovery.ts`, `queue_ops.ts`, `cluster_verbs.ts`.
 *
 * @module
 */
import type { ScriptArg, ScriptName } from "./scripts.ts";

/** What a verb needs of the Redis store. */
export interface ScriptHost {
  /** Runs a store script. */
  run(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown>;
  /** The `now` argument of a script (the injected clock's time, or "" for Redis `TIME`). */
  now(): number | string;
  /** The store options as the scripts take them: "keepFinished,keepDead,events,metrics". */
  readonly opts: string;
}
