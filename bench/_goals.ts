/**
 * The goals of issue 14's "Must show" list, each attached to the table row that answers it:
 * processing >= 5x BullMQ, bulk enqueue >= 8x, single enqueue >= 1.5x, idle latency p50 no
 * worse than BullMQ's, Redis memory per waiting job no more than BullMQ's, processing at the
 * largest backlog within 20% of the smallest, the memory store >= 500k jobs/s, an idle node at
 * <= 20 Redis commands/s at every queue count; and the lead the issue asks to keep: a critical
 * job's wait no worse than BullMQ's priority 1.
 *
 * @module
 */
import type { BenchName } from "./_options.ts";
import { figureOf, formatSize, type Measurement } from "./_measurement.ts";

/** A goal's verdict on one row. */
export interface GoalVerdict {
  /** The goal, short. */
  goal: string;
  /** Whether it is met; null when the row lacks what it compares against. */
  met: boolean | null;
}

interface Goal {
  bench: BenchName;
  key: string;
  judge(s: Measurement, b: Measurement | undefined, best: readonly Measurement[]): GoalVerdict;
}

function ratioAtLeast(factor: number): Goal["judge"] {
  return (s, b) => {
    const x = figureOf(s, "jobsPerSec");
    const y = figureOf(b, "jobsPerSec");
    return { goal: `>= ${factor}x`, met: x === undefined || !y ? null : x / y >= factor };
  };
}

function noWorseThanBullmq(key: string, note = ""): Goal["judge"] {
  return (s, b) => {
    const x = figureOf(s, key);
    const y = figureOf(b, key);
    return { goal: `<= BullMQ${note}`, met: x === undefined || y === undefined ? null : x <= y };
  };
}

/** Within 20% of the smallest backlog's figure, judged on the largest backlog only. */
const backlogFlat: Goal["judge"] = (s, _b, best) => {
  const mine = best
    .filter((m) => m.bench === "backlog" && m.system === "sluice" && m.retention === s.retention)
    .sort((x, y) => Number(x.params.backlog) - Number(y.params.backlog));
  const smallest = mine[0];
  const largest = mine[mine.length - 1];
  if (!smallest || largest !== s || smallest === s) return { goal: "", met: null };
  const x = figureOf(s, "jobsPerSec");
  const y = figureOf(smallest, "jobsPerSec");
  return {
    goal: `>= 0.8x Sluice at ${formatSize(Number(smallest.params.backlog))}`,
    met: x === undefined || !y ? null : x >= 0.8 * y,
  };
};

const GOALS: Goal[] = [
  { bench: "enqueue-single", key: "jobsPerSec", judge: ratioAtLeast(1.5) },
  { bench: "enqueue-bulk", key: "jobsPerSec", judge: ratioAtLeast(8) },
  { bench: "process", key: "jobsPerSec", judge: ratioAtLeast(5) },
  { bench: "latency", key: "p50Ms", judge: noWorseThanBullmq("p50Ms") },
  { bench: "critical", key: "p50Ms", judge: noWorseThanBullmq("p50Ms", " (keep the lead)") },
  { bench: "critical", key: "p99Ms", judge: noWorseThanBullmq("p99Ms", " (keep the lead)") },
  { bench: "backlog", key: "jobsPerSec", judge: backlogFlat },
  { bench: "memory", key: "bytesPerJob", judge: noWorseThanBullmq("bytesPerJob") },
  {
    bench: "memory-store",
    key: "jobsPerSec",
    judge: (s) => ({ goal: ">= 500,000", met: (figureOf(s, "jobsPerSec") ?? 0) >= 500_000 }),
  },
  {
    bench: "queues",
    key: "idleCommandsPerSec",
    judge: (s) => {
      const x = figureOf(s, "idleCommandsPerSec");
      return { goal: "<= 20", met: x === undefined ? null : x <= 20 };
    },
  },
];

/** The scenarios that carry a goal. */
export const GOAL_BENCHES: readonly BenchName[] = [...new Set(GOALS.map((g) => g.bench))];

/**
 * The verdict of the goal on row (`bench`, `key`) given Sluice's and BullMQ's best rounds, or
 * null when no goal is attached there.
 */
export function goalFor(
  bench: BenchName,
  key: string,
  s: Measurement,
  b: Measurement | undefined,
  best: readonly Measurement[],
): GoalVerdict | null {
  const goal = GOALS.find((g) => g.bench === bench && g.key === key);
  if (!goal) return null;
  const verdict = goal.judge(s, b, best);
  return verdict.goal ? verdict : null;
}
