/**
 * Runs one BullMQ measurement of the Sluice bench on Node, driven by the Deno bench over
 * stdin/stdout, one JSON line per message:
 *
 * 1. `node bullmq_runner.mjs '<spec>'` with spec `{ scenario, params, warmup?, url, prefix,
 *    retention }`: runs the warm-up (the same scenario with the `warmup` parameters, under
 *    `prefix:w`) when asked, prepares (untimed) and prints `{"ready":true,"version":...}`;
 * 2. on the line `run`: runs the timed part, prints `{"result":{...,"seconds","clientCpuSec"}}`;
 * 3. on a line `block <n>` (scenarios that run interleaved, whose trial has `block(n)`): does n
 *    more jobs of the timed part, prints `{"block":{"latenciesMs":[...],"seconds","clientCpuSec"}}`
 *    (any number of times, instead of `run`);
 * 4. on the line `dispose` (or when stdin closes): stops and closes, prints `{"disposed":true}`
 *    and exits.
 *
 * Any failure prints `{"error":"..."}` and exits with status 1. Scenario modules live in
 * `./bullmq/<scenario with _ for ->.mjs` and export `prepare(spec)` returning `{ run, dispose }`
 * (and `block` when the scenario runs interleaved).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { createInterface } from "node:readline";

const say = (message) => process.stdout.write(JSON.stringify(message) + "\n");

function fail(error) {
  say({ error: error?.stack ?? String(error) });
  process.exit(1);
}

async function main() {
  const spec = JSON.parse(process.argv[2] ?? "null");
  if (!spec?.scenario) throw new Error("usage: node bullmq_runner.mjs '<json spec>'");
  const version = JSON.parse(
    readFileSync(new URL("./node_modules/bullmq/package.json", import.meta.url), "utf8"),
  ).version;
  const module = await import(`./bullmq/${spec.scenario.replaceAll("-", "_")}.mjs`);
  if (spec.warmup) {
    const warm = await module.prepare({ ...spec, params: spec.warmup, prefix: `${spec.prefix}:w` });
    await warm.run();
    await warm.dispose();
  }
  const trial = await module.prepare(spec);
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await trial.dispose();
    say({ disposed: true });
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const command = line.trim();
    if (command === "run") {
      const cpu = process.cpuUsage();
      const start = performance.now();
      trial.run().then((result) => {
        const seconds = (performance.now() - start) / 1000;
        const used = process.cpuUsage(cpu);
        say({ result: { ...result, seconds, clientCpuSec: (used.user + used.system) / 1e6 } });
      }, fail);
    } else if (command.startsWith("block ")) {
      const count = Number(command.slice(6));
      if (!trial.block) return fail(new Error(`${spec.scenario} cannot run in blocks`));
      if (!Number.isSafeInteger(count) || count < 1) {
        return fail(new Error(`block needs a whole number of jobs, got ${command.slice(6)}`));
      }
      const cpu = process.cpuUsage();
      const start = performance.now();
      trial.block(count).then((result) => {
        const seconds = (performance.now() - start) / 1000;
        const used = process.cpuUsage(cpu);
        say({ block: { ...result, seconds, clientCpuSec: (used.user + used.system) / 1e6 } });
      }, fail);
    } else if (command === "dispose") {
      dispose().catch(fail);
    }
  });
  lines.on("close", () => dispose().catch(fail));
  say({ ready: true, version, node: process.version });
}

main().catch(fail);
