/**
 * The chaos suite's report: one table row per scenario (scenario, jobs, faults, lost, duplicates
 * with their bound, recovery time), then the notes and broken promises of each scenario.
 *
 * @module
 */
import type { Verdict } from "./checker.ts";

/** The table (Markdown, so it pastes into docs as is) and the notes under it. */
export function report(verdicts: readonly Verdict[]): string {
  const rows = [
    ["scenario", "jobs", "faults", "lost", "duplicates (bound)", "recovery", "result"],
    ...verdicts.map((v) => [
      v.scenario,
      v.jobs.toLocaleString("en-US"),
      String(v.faults),
      v.lostInWindow > 0 ? `${v.lost} (+${v.lostInWindow} in fsync window)` : String(v.lost),
      `${v.duplicates} (${v.bound})`,
      `${(v.recoveryMs / 1000).toFixed(1)} s`,
      v.problems.length === 0 ? "ok" : "FAILED",
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  const out = [line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
  out.push(...rows.slice(1).map(line), "");
  for (const v of verdicts) {
    for (const note of v.notes) out.push(`- ${v.scenario}: ${note}`);
    for (const problem of v.problems) out.push(`- ${v.scenario}: PROBLEM: ${problem}`);
  }
  return out.join("\n");
}
