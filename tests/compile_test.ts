/**
 * The binary (issue 17, item 1): `deno task compile` regenerates the manifest, then compiles with
 * explicit permissions (no -A), the isolate entry and the manifest included. Here `deno compile`
 * cannot download its runtime base (denort), so the test runs the task's compile into a temporary
 * folder and accepts exactly one failure: the download of that base, after type checking passed.
 * Any other failure fails. Where the download works, the binary runs `start` with isolates as the
 * bundle does in `bundle_test.ts`.
 */
import assert from "node:assert/strict";
import { pathToFileURL as toFileUrl } from "node:url";
import { sluice } from "./_cli_process.ts";
import {
  binaryFlags,
  buildArgs,
  buildDir,
  runDeno,
  startRoundTrip,
  taskWords,
} from "./_binary_build.ts";

/** The runtime base `deno compile` downloads for this Deno on this machine. */
const DENORT = `https://dl.deno.land/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`;

/**
 * Everything `deno compile` prints when only that download fails, from its first line to the
 * cause (the lines after it name the network error, which differs from one machine to another).
 */
function downloadFailure(output: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(
    // type checking passed: freshly (Check) or cached from an earlier run of the same graph
    "^(?:Check src/cli/main\\.ts\\n)?" +
      // the output as a file URL or relative to the working directory, as Deno finds shorter
      `Compile src/cli/main\\.ts to (?:${
        escape(toFileUrl(output).href)
      }|(?:\\.\\./)+(?:[^\\n/]+/)*${
        escape(output.replace(/^\/+/, "").split("/").slice(-2).join("/"))
      })\\n` +
      // the progress line is not printed everywhere (it depends on the terminal and the cache)
      `(?:Download ${escape(DENORT)}\\n)?` +
      `error: Writing deno compile executable to temporary file '${
        escape(output)
      }\\.tmp-[0-9a-f]+'\\n` +
      "\\nCaused by:\\n" +
      "    0: Setting up base binary\\.\\n" +
      `    1: error sending request for url \\(${escape(DENORT)}\\): client error \\(Connect\\)`,
  );
}

Deno.test("compile: the task regenerates the manifest and grants explicit permissions only", () => {
  const words = taskWords("compile");
  assert.equal(words[1], "compile");
  assert.ok(!words.includes("-A") && !words.includes("--allow-all"), "no -A");
  assert.deepEqual(binaryFlags(), [
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-sys=hostname",
    "--unstable-no-legacy-abort",
  ]);
  const included = words.flatMap((w, i) => (words[i - 1] === "--include" ? [w] : []));
  assert.deepEqual(included, ["src/worker/isolate_main.ts", "functions/_manifest.gen.ts"]);
  assert.deepEqual(words.slice(-3), ["--output", "dist/sluice", "src/cli/main.ts"]);
});

Deno.test({
  name: "compile: type checks and builds up to the runtime download (or builds a working binary)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await buildDir("sluice-compile-");
    const binary = `${dir}/sluice`;
    const out = await runDeno(buildArgs("compile", binary));
    if (out.code !== 0) {
      assert.match(
        out.stderr,
        downloadFailure(binary),
        `deno compile failed otherwise:\n${out.stderr}`,
      );
      assert.equal(out.stderr.match(/^error/gm)?.length, 1, out.stderr);
      assert.deepEqual([...Deno.readDirSync(dir)], [], "no partial binary is left behind");
      return;
    }
    const launch = { program: binary, prefix: [], cwd: dir };
    const version = await sluice(["--version"], {}, launch);
    assert.match(
      version.stdout[0] ?? "",
      /^sluice \d+\.\d+\.\d+ \(deno /,
      version.stderr.join("\n"),
    );
    await startRoundTrip(launch);
  },
});
