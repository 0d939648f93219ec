/**
 * The chaos suite's quick profile in CI (issue 15): every scenario on its own redis-server with
 * real worker processes; each must lose no acknowledged job (outside the documented fsync window
 * of a Redis crash), keep duplicate runs within the jobs in flight at its faults, leave nothing
 * open, dead-letter only the jobs built to fail, and crash no worker.
 */
import assert from "node:assert/strict";
import type { Verdict } from "../tools/chaos/checker.ts";
import { runChaos, SCENARIOS } from "../tools/chaos/main.ts";
import { QUICK } from "../tools/chaos/profile.ts";
import { report } from "../tools/chaos/report.ts";

const verdicts: Verdict[] = [];

for (const name of Object.keys(SCENARIOS)) {
  Deno.test({
    name: `chaos (quick): ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const [verdict] = await runChaos(QUICK, [name]);
      verdicts.push(verdict!);
      assert.deepEqual(verdict!.problems, [], report([verdict!]));
      assert.equal(verdict!.lost, 0);
      assert.ok(verdict!.duplicates <= verdict!.bound, "duplicates within the bound");
      assert.ok(verdict!.faults > 0, "faults were injected");
    },
  });
}

Deno.test({
  name: "chaos (quick): the table",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => {
    console.log(`\n${report(verdicts)}`);
    assert.equal(verdicts.length, Object.keys(SCENARIOS).length);
  },
});
