/**
 * Benchmark results: one JSON line per measurement, then, per retention mode, a Markdown table
 * of the best round of every figure per system, the Sluice/BullMQ ratio, and the goals of issue
 * 14 that the figure answers (bench/_goals.ts).
 *
 * @module
 */
import type { Figure, Scenario } from "./_scenario.ts";
import { GOAL_BENCHES, goalFor, type GoalVerdict } from "./_goals.ts";
import { figureOf, formatNumber, type Measurement } from "./_measurement.ts";

/** Prints `m` as one JSON line on stdout. */
export function printJsonLine(m: Measurement): void {
  console.log(JSON.stringify(m));
}

function isBetter(a: Measurement, b: Measurement, figure: Figure): boolean {
  const x = figureOf(a, figure.key) ?? NaN;
  const y = figureOf(b, figure.key) ?? NaN;
  if (Number.isNaN(y)) return true;
  return figure.better === "higher" ? x > y : x < y;
}

/**
 * The best round of each (retention, scenario, variant, system), by the scenario's first figure.
 * Systems that ran interleaved keep one round for both, the one whose two figures add up best:
 * the pairing is what makes their ratio fair, and each side's best from different rounds would
 * undo it.
 */
export function bestOf(all: readonly Measurement[], scenarios: readonly Scenario[]): Measurement[] {
  const best = new Map<string, Measurement>();
  const pairs = new Map<string, Measurement[]>();
  for (const m of all) {
    const figure = scenarios.find((s) => s.name === m.bench)!.figures[0]!;
    if (m.interleavedBlock !== undefined) {
      const key = `${m.retention}/${m.bench}/${m.variant}/${m.round}`;
      pairs.set(key, [...pairs.get(key) ?? [], m]);
      continue;
    }
    const key = `${m.retention}/${m.bench}/${m.variant}/${m.system}`;
    const seen = best.get(key);
    if (!seen || isBetter(m, seen, figure)) best.set(key, m);
  }
  const bestPairs = new Map<string, Measurement[]>();
  for (const pair of pairs.values()) {
    const m = pair[0]!;
    if (pair.length !== 2 || pair[1]!.system === m.system) {
      throw new Error(`bench: ${m.bench} round ${m.round} is not one interleaved pair`);
    }
    const figure = scenarios.find((s) => s.name === m.bench)!.figures[0]!;
    const key = `${m.retention}/${m.bench}/${m.variant}`;
    const seen = bestPairs.get(key);
    if (!seen || isBetter(sumOf(pair, figure), sumOf(seen, figure), figure)) {
      bestPairs.set(key, pair);
    }
  }
  return [...best.values(), ...[...bestPairs.values()].flat()];
}

/** A stand-in measurement whose `figure` is the sum of the pair's. */
function sumOf(pair: readonly Measurement[], figure: Figure): Measurement {
  const total = pair.reduce((sum, m) => sum + (figureOf(m, figure.key) ?? NaN), 0);
  return { ...pair[0]!, [figure.key]: total };
}

const MET: Record<string, string> = { true: "yes", false: "**no**", null: "-" };

/** The Markdown table of one retention mode's best rounds. */
export function tableOf(best: readonly Measurement[], scenarios: readonly Scenario[]): string {
  const lines = [
    "| figure | sluice | bullmq | sluice/bullmq | goal (issue 14) | met |",
    "| --- | ---: | ---: | ---: | --- | --- |",
  ];
  const verdicts: GoalVerdict[] = [];
  for (const scenario of scenarios) {
    const mine = best.filter((m) => m.bench === scenario.name);
    const variants = [...new Set(mine.map((m) => m.variant))];
    for (const variant of variants) {
      const s = mine.find((m) => m.variant === variant && m.system === "sluice");
      const b = mine.find((m) => m.variant === variant && m.system === "bullmq");
      for (const figure of scenario.figures) {
        const sv = figureOf(s, figure.key);
        const bv = figureOf(b, figure.key);
        if (sv === undefined && bv === undefined) continue;
        const ratio = sv !== undefined && bv !== undefined && bv !== 0 ? sv / bv : undefined;
        const verdict = s ? goalFor(scenario.name, figure.key, s, b, best) : null;
        if (verdict) verdicts.push(verdict);
        lines.push(
          `| ${variant ? `${variant}: ` : ""}${figure.label} | ${formatNumber(sv)} | ` +
            `${formatNumber(bv)} | ${ratio === undefined ? "-" : ratio.toFixed(2)} | ` +
            `${verdict?.goal ?? ""} | ${verdict ? MET[String(verdict.met)] : ""} |`,
        );
      }
    }
  }
  const judged = verdicts.filter((v) => v.met !== null);
  const unmeasured = GOAL_BENCHES.filter((name) => !best.some((m) => m.bench === name));
  lines.push(
    "",
    `goals met: ${judged.filter((v) => v.met).length} of ${judged.length} judged` +
      (verdicts.length > judged.length
        ? `; ${verdicts.length - judged.length} lack the figure to compare with`
        : "") +
      (unmeasured.length ? `; not run: ${unmeasured.join(", ")}` : ""),
  );
  return lines.join("\n");
}
