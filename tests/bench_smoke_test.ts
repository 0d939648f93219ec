/**
 * The bench's smoke: `deno task bench --quick` against Redis, the BullMQ side on Node included,
 * prints a well-formed JSON line for every scenario, variant and system, and the table. It
 * proves the harness works; no timing is asserted (the figures only have to be numbers).
 */
import assert from "node:assert/strict";
import { withRedis } from "./_redis_env.ts";
import { SCENARIOS } from "../bench/scenarios/mod.ts";
import { parseBenchOptions } from "../bench/_options.ts";
import type { Measurement } from "../bench/_measurement.ts";
import { FUNCTION_SCRIPTS } from "../src/store/redis/scripts.ts";

const ROOT = new URL("../", import.meta.url).pathname;

await withRedis("bench smoke", (url) => {
  Deno.test({
    name: "bench --quick prints a JSON line per scenario, variant and system, and the table",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const args = ["--quick", "--redis", url];
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-P=bench", "bench/main.ts", ...args],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.ok(out.success, `the bench failed (${out.code}):\n${stderr.slice(-4_000)}`);

      const lines = stdout.split("\n").filter((l) => l.startsWith("{"));
      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const meta = parsed.find((m) => m.bench === "meta") as { versions: Record<string, string> };
      assert.ok(meta, "no meta line");
      const pinned = JSON.parse(await Deno.readTextFile(`${ROOT}bench/peers/package.json`));
      assert.equal(meta.versions.bullmq, pinned.dependencies.bullmq, "not the pinned bullmq");

      const measurements = parsed.filter((m) => m.bench !== "meta") as unknown as Measurement[];
      const o = parseBenchOptions(args);
      for (const scenario of SCENARIOS) {
        for (const params of scenario.variants(o)) {
          const variant = scenario.label(params);
          for (const system of scenario.systems) {
            const what = `${scenario.name} ${variant} ${system}`;
            const m = measurements.find((m) =>
              m.bench === scenario.name && m.variant === variant && m.system === system
            );
            assert.ok(m, `no JSON line for ${what}`);
            assert.equal(m.retention, "keep", what);
            assert.equal(m.round, 1, what);
            assert.deepEqual(m.params, JSON.parse(JSON.stringify(params)), what);
            assert.ok(typeof m.version === "string" && m.version.length > 0, what);
            assert.ok(Number.isFinite(m.seconds) && m.seconds >= 0, `${what}: seconds`);
            // both systems selected: a scenario that can runs them interleaved
            assert.equal(m.interleavedBlock, scenario.interleave?.(o), `${what}: interleaved`);
            if (m.interleavedBlock) assert.equal(m.samples, params.jobs, `${what}: samples`);
            for (const figure of scenario.figures) {
              const value = (m as unknown as Record<string, unknown>)[figure.key];
              assert.ok(
                typeof value === "number" && Number.isFinite(value),
                `${what}: ${figure.key} is ${JSON.stringify(value)}`,
              );
            }
          }
        }
      }
      assert.match(stdout, /\| figure \| sluice \| bullmq \| sluice\/bullmq \|/);
      assert.match(stdout, /goals met: \d+ of \d+ judged/);
    },
  });
});

const hasValgrind = await new Deno.Command("valgrind", { args: ["--version"], stdout: "null" })
  .output().then((out) => out.success, () => false);

/** A test of a bench tool that runs Redis under callgrind: ignored where valgrind is missing. */
function valgrindTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !hasValgrind, sanitizeOps: false, sanitizeResources: false, fn });
}

/** Runs `deno task <args>`; asserts it succeeded and returns its JSON lines. */
async function taskRows(args: string[]): Promise<Record<string, unknown>[]> {
  const out = await new Deno.Command("deno", {
    args: ["task", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${args[0]} failed (${out.code}):\n${stderr.slice(-4_000)}`);
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

valgrindTest(
  "bench:lua prints Redis instructions per job for each phase (needs valgrind)",
  async () => {
    const rows = await taskRows(["bench:lua", "--jobs", "200", "--batch", "20", "--chunk", "100"]);
    assert.deepEqual(rows.map((r) => r.phase), [
      "enqueue, 100 a call",
      "enqueue, 20 a call",
      "enqueue, 20 single jobs a call",
      "reserve + complete, 20 a call",
      "an idle node's job: enqueue, reserve, complete",
    ]);
    for (const r of rows) {
      const perJob = r.perJob as number;
      assert.ok(perJob > 1_000 && perJob < 10_000_000, JSON.stringify(r));
    }
  },
);

valgrindTest(
  "bench:idle-cost prints Redis instructions per idle job of both systems (needs valgrind)",
  async () => {
    const rows = await taskRows(["bench:idle-cost", "--jobs", "40"]);
    const kinds = rows.map((r) => `${r.retention} ${r.system}`).sort();
    assert.deepEqual(kinds, ["keep bullmq", "keep sluice", "remove bullmq", "remove sluice"]);
    for (const r of rows) {
      const perJob = r.perJob as number;
      assert.ok(perJob > 10_000 && perJob < 100_000_000, JSON.stringify(r));
    }
  },
);

valgrindTest(
  "bench:lua-primitives prints Redis instructions per operation (needs valgrind)",
  async () => {
    const rows = await taskRows(["bench:lua-primitives", "--ops", "200"]);
    const cost = new Map(rows.map((r) => [r.op as string, r.instructions as number]));
    assert.ok(cost.size >= 10, `too few probes: ${[...cost.keys()].join(", ")}`);
    for (const [op, n] of cost) assert.ok(n > 100 && n < 1_000_000, `${op}: ${n}`);
    // net of the loop: a field more in one call costs more, not the loop's own work
    const one = cost.get("redis.call HGET, 1 field")!;
    const thirteen = cost.get("redis.call HMGET, 13 fields (4 absent, as at reserve)")!;
    assert.ok(thirteen > 3 * one, `HMGET of 13 fields ${thirteen} vs HGET ${one}`);
  },
);

Deno.test({
  name: "bench:call-setup prints what a call of each job-path script costs before its work",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const rows = await taskRows(["bench:call-setup", "--calls", "200"]);
    assert.deepEqual(rows.map((r) => r.script).sort(), [...FUNCTION_SCRIPTS].sort());
    for (const r of rows) {
      for (const us of [r.plainUs, r.functionUs] as number[]) {
        assert.ok(us > 0 && us < 100_000, JSON.stringify(r));
      }
    }
  },
});
