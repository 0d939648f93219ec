/**
 * Failure reports of the differential fuzz: the seed and how to replay it, the trace as it ran
 * (references resolved, each step with the memory store's reply) and the first difference.
 *
 * @module
 */
import type { Trace } from "./generator.ts";
import type { RunResult } from "./runner.ts";

const MAX_REPLY = 160;

/** `value` as short JSON: leases as `id@T<n>`, job records as `id:state`, long text cut. */
export function compact(value: unknown): string {
  const json = JSON.stringify(value, (_key, v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    if ("token" in v && "attempt" in v) {
      return `${v.id}@${v.token} ${v.lane} attempt ${v.attempt}${v.started ? "" : " prefetched"}`;
    }
    if ("state" in v && "history" in v) return `${v.id}:${v.state}`;
    return v;
  }) ?? "undefined";
  return json.length > MAX_REPLY ? `${json.slice(0, MAX_REPLY)}...` : json;
}

/** The steps of a run, numbered, one per line with its reply. */
export function formatSteps(result: RunResult): string {
  return result.steps.map((step, i) =>
    `  ${String(i).padStart(3)}. ${step.text}\n` +
    `       -> ${compact(step.reply)}`
  ).join("\n");
}

/** A report of the failed run of `trace`: what differed, then every step. */
export function formatFailure(title: string, trace: Trace, result: RunResult): string {
  const d = result.divergence!;
  const where = d.what === "reply"
    ? `the reply of step ${d.step}`
    : `the states after step ${d.step}`;
  const { keepFinished, keepDead } = trace.retention;
  return [
    `${title}: seed ${trace.seed}, ${trace.ops.length} operations ` +
    `(retention keepFinished=${keepFinished}, keepDead=${keepDead})`,
    `  ${where} differs at ${d.path || "(whole value)"}  [${d.signature}]`,
    `    memory: ${compact(d.memory)}`,
    `    redis:  ${compact(d.redis)}`,
    formatSteps(result),
  ].join("\n");
}
