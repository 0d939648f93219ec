/**
 * `deno task chaos [--quick] [--only NAME,...]`: the chaos suite (long profile: five to ten
 * minutes, by machine). Every scenario starts its own `redis-server` and real `sluice worker`
 * processes, injects its faults under load, and checks what Sluice promises (see
 * docs/reliability.md); it prints one table row per scenario and exits non-zero when any promise
 * broke. `--quick` is the CI profile (also run by tests/chaos_test.ts).
 *
 * @module
 */
import type { Verdict } from "./checker.ts";
import { LONG, type Profile, QUICK } from "./profile.ts";
import { report } from "./report.ts";
import { leaderFailover } from "./scenarios/leader.ts";
import { clientKill, redisFull, redisRestart } from "./scenarios/redis_faults.ts";
import { dag, poison, sigkill, sigstop } from "./scenarios/worker_faults.ts";

/** The scenarios by short name, in the order they run. */
export const SCENARIOS: Record<string, (profile: Profile) => Promise<Verdict>> = {
  "kill": (p) => sigkill(p, false),
  "kill-prefetch": (p) => sigkill(p, true),
  "stop": sigstop,
  "redis-restart": redisRestart,
  "client-kill": clientKill,
  "leader": leaderFailover,
  "poison": poison,
  "full": redisFull,
  "dag": dag,
};

/** Runs the named scenarios (all by default) one after another; `onVerdict` hears each. */
export async function runChaos(
  profile: Profile,
  names: readonly string[] = Object.keys(SCENARIOS),
  onVerdict: (verdict: Verdict) => void = () => {},
): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const name of names) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS)}`);
    const verdict = await scenario(profile);
    verdicts.push(verdict);
    onVerdict(verdict);
  }
  return verdicts;
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const only = Deno.args[Deno.args.indexOf("--only") + 1];
  const names = Deno.args.includes("--only") && only ? only.split(",") : undefined;
  const profile = quick ? QUICK : LONG;
  const began = Date.now();
  console.log(`sluice chaos, ${profile.name} profile, ${new Date().toISOString()}`);
  const verdicts = await runChaos(profile, names, (v) => {
    console.log(`  ${v.scenario}: ${v.problems.length === 0 ? "ok" : "FAILED"}`);
    for (const problem of v.problems.slice(0, 5)) console.log(`    ${problem}`);
  });
  console.log(`\n${report(verdicts)}\n\n(${Math.round((Date.now() - began) / 1000)} s)`);
  Deno.exit(verdicts.every((v) => v.problems.length === 0) ? 0 : 1);
}
