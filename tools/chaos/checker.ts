/**
 * The chaos suite's checks, from the sink and the store after a scenario settled: every
 * acknowledged job completed at least once (lost: those that did not; those acknowledged within
 * a documented fsync window before a Redis crash are counted apart), duplicate runs counted and
 * bounded by the jobs in flight at each fault, nothing left open, dead letters only for jobs
 * built to fail, no worker crashed; and the recovery time of each fault.
 *
 * @module
 */
import type { ChaosCluster } from "./cluster.ts";
import { readSink, type SinkLine } from "./sink.ts";

/** One injected fault: when, and which worker processes it hit (all: undefined). */
export interface Fault {
  /** Epoch ms. */
  at: number;
  /** Process ids hit (a killed or paused worker); undefined for a fault of Redis. */
  pids?: number[];
  /** When a fault of Redis ended (Redis back, memory freed); default `at`. */
  endedAt?: number;
  /** For a Redis crash: acknowledgements within this many ms before `at` may be lost. */
  fsyncWindowMs?: number;
}

/** What a scenario found. */
export interface Verdict {
  /** Scenario name. */
  scenario: string;
  /** Jobs acknowledged. */
  jobs: number;
  /** Faults injected. */
  faults: number;
  /** Acknowledged jobs that never completed, outside any fsync window. */
  lost: number;
  /** Acknowledged jobs lost within an fsync window (counted, allowed). */
  lostInWindow: number;
  /** Runs beyond the first, over all jobs. */
  duplicates: number;
  /** The bound on duplicates: jobs in flight at the faults. */
  bound: number;
  /** The longest time from a fault until its in-flight jobs completed elsewhere (ms). */
  recoveryMs: number;
  /** Broken promises, in words; empty when the scenario passed. */
  problems: string[];
  /** Scenario-specific figures for the notes (e.g. failover times). */
  notes: string[];
}

/** How long after its handler ended a run's outcome may still be unwritten (ms). */
const OUTCOME_LAG_MS = 500;

/** Jobs in flight on `pids` at `at`: started there and not ended long enough before. */
function inFlight(sink: Map<string, SinkLine[]>, fault: Fault): string[] {
  const ids: string[] = [];
  const margin = OUTCOME_LAG_MS + (fault.fsyncWindowMs ?? 0);
  for (const [id, lines] of sink) {
    let open = false;
    for (const line of lines) {
      if (line.at > fault.at) break;
      if (fault.pids && !fault.pids.includes(line.pid)) continue;
      open = line.kind === "S" || fault.at - line.at < margin;
    }
    if (open) ids.push(id);
  }
  return ids;
}

/** Checks a settled scenario; `doomed` are the ids built to fail, `work` the ids to complete. */
export async function check(
  scenario: string,
  cluster: ChaosCluster,
  faults: Fault[],
  options: { doomed?: Set<string>; settled: boolean; maxRuns?: number } = { settled: true },
): Promise<Verdict> {
  const sink = await readSink(cluster.sinkDir);
  const problems: string[] = [];
  const doomed = options.doomed ?? new Set<string>();
  let lost = 0;
  let lostInWindow = 0;
  let duplicates = 0;
  for (const [id, ackedAt] of cluster.acked) {
    const lines = sink.get(id) ?? [];
    const starts = lines.filter((l) => l.kind === "S").length;
    if (doomed.has(id)) continue;
    duplicates += Math.max(starts - 1, 0);
    if (options.maxRuns !== undefined && starts > options.maxRuns) {
      problems.push(`job ${id} ran ${starts} times (at most ${options.maxRuns})`);
    }
    const job = await cluster.store.getJob(id);
    // a completed run, and the job completed (or gone: retention trims completed jobs, and only
    // a finished job is ever removed)
    if (lines.some((l) => l.kind === "E") && (job === null || job.state === "completed")) continue;
    const windowed = faults.some((f) =>
      f.fsyncWindowMs !== undefined && ackedAt <= f.at && f.at - ackedAt <= f.fsyncWindowMs
    );
    if (windowed && !job) lostInWindow++;
    else lost++;
  }
  if (lost > 0) problems.push(`${lost} acknowledged jobs never completed`);
  for (const id of doomed) {
    const job = await cluster.store.getJob(id);
    if (cluster.acked.has(id) && job?.state !== "dead") {
      problems.push(`job ${id}, built to fail, is ${job?.state ?? "missing"}, not dead`);
    }
  }
  const { states } = await cluster.store.counts(cluster.queue);
  const unexpectedDead = states.dead - [...doomed].filter((id) => cluster.acked.has(id)).length;
  if (unexpectedDead > 0) problems.push(`${unexpectedDead} dead jobs not built to fail`);
  const open = await cluster.unsettled();
  if (!options.settled || Object.keys(open).length > 0) {
    problems.push(`jobs left open: ${JSON.stringify(open)}`);
  }
  problems.push(...await cluster.crashes());
  let bound = 0;
  let recoveryMs = 0;
  for (const fault of faults) {
    const hit = inFlight(sink, fault);
    bound += hit.length;
    recoveryMs = Math.max(recoveryMs, recovery(sink, fault, hit));
  }
  if (duplicates > bound) problems.push(`${duplicates} duplicate runs exceed the bound ${bound}`);
  return {
    scenario,
    jobs: cluster.acked.size,
    faults: faults.length,
    lost,
    lostInWindow,
    duplicates,
    bound,
    recoveryMs,
    problems,
    notes: [],
  };
}

/**
 * How long after `fault` its in-flight jobs had all completed again (any process). For a fault
 * of Redis (no process hit), or with none in flight: how long until a run started anywhere after
 * the fault ended (a run needs a lease, so this is when Redis served again).
 */
function recovery(sink: Map<string, SinkLine[]>, fault: Fault, hit: string[]): number {
  let until = 0;
  const firstEndAfter = (lines: SinkLine[]) =>
    lines.find((l) => l.kind === "E" && l.at > fault.at)?.at;
  if (!fault.pids || hit.length === 0) {
    const from = fault.endedAt ?? fault.at;
    let next = Infinity;
    for (const lines of sink.values()) {
      next = Math.min(next, lines.find((l) => l.kind === "S" && l.at > from)?.at ?? Infinity);
    }
    return Number.isFinite(next) ? next - fault.at : 0;
  }
  for (const id of hit) {
    const end = firstEndAfter(sink.get(id) ?? []);
    if (end !== undefined) until = Math.max(until, end - fault.at);
  }
  return until;
}
