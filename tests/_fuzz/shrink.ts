/**
 * Shrinks a failing trace: cuts it after the diverging step, then leaves out runs of operations
 * (halves, quarters, ... single ones) and simplifies single operations, keeping every change
 * after which the stores still diverge with the same signature.
 *
 * @module
 */
import type { Trace } from "./generator.ts";
import type { Op } from "./ops.ts";
import type { Divergence, RunResult } from "./runner.ts";
import { simplerVariants } from "./simplify.ts";

/** A shrunk trace and what running it gave. */
export interface Shrunk {
  /** The smallest trace found. */
  trace: Trace;
  /** Its run (the same divergence signature as the original). */
  result: RunResult;
  /** Traces run while shrinking. */
  runs: number;
}

/** Shrinks `trace`, whose run diverged as `divergence`, running at most `budget` candidates. */
export async function shrink(
  trace: Trace,
  result: RunResult,
  run: (trace: Trace) => Promise<RunResult>,
  budget = 400,
): Promise<Shrunk> {
  const divergence = result.divergence!;
  let best: Shrunk = { trace, result, runs: 0 };
  const tryOps = async (ops: Op[]): Promise<boolean> => {
    if (best.runs >= budget) return false;
    const candidate = { ...trace, ops };
    const got = await run(candidate);
    best.runs++;
    if (!same(got.divergence, divergence)) return false;
    best = { trace: candidate, result: got, runs: best.runs };
    return true;
  };
  await tryOps(trace.ops.slice(0, divergence.step + 1));
  for (let changed = true; changed && best.runs < budget;) {
    changed = false;
    for (let chunk = Math.ceil(best.trace.ops.length / 2); chunk >= 1; chunk = chunk >> 1) {
      for (let at = 0; at < best.trace.ops.length;) {
        const ops = best.trace.ops;
        if (await tryOps([...ops.slice(0, at), ...ops.slice(at + chunk)])) changed = true;
        else at += chunk;
      }
      if (chunk === 1) break;
    }
    for (let at = 0; at < best.trace.ops.length; at++) {
      for (const variant of simplerVariants(best.trace.ops[at]!)) {
        if (await tryOps(best.trace.ops.with(at, variant))) {
          changed = true;
          break;
        }
      }
    }
  }
  return best;
}

function same(got: Divergence | null, wanted: Divergence): boolean {
  return got !== null && got.signature === wanted.signature;
}
