/**
 * The bundle (issue 17, item 1): `deno task bundle` builds one file that runs every command with
 * the compiled binary's permissions, from a folder without the source: `start` serves `/healthz`
 * and runs a job of the function files in its isolates (which start from the bundle itself). It
 * proves the path `deno compile` takes, whose runtime cannot be downloaded here.
 *
 * `deno bundle` fetches esbuild from npm once; when it cannot, these tests are skipped, unless
 * SLUICE_REQUIRE_BINARY=1 (CI), where they fail.
 */
import assert from "node:assert/strict";
import { sluice } from "./_cli_process.ts";
import {
  BINARY_REQUIRED,
  binaryFlags,
  buildArgs,
  buildDir,
  runDeno,
  startRoundTrip,
} from "./_binary_build.ts";

const dir = await buildDir("sluice-bundle-");
const bundle = `${dir}/sluice.js`;
const built = await runDeno(buildArgs("bundle", bundle));
const noEsbuild = built.code !== 0 &&
  /Failed loading \S+ for package "@esbuild\//.test(built.stderr);
if (noEsbuild && !BINARY_REQUIRED) {
  console.warn(
    "bundle tests skipped: esbuild could not be fetched (SLUICE_REQUIRE_BINARY=1 fails)",
  );
}
/** Runs the bundle as the binary runs: its permissions, from a folder without the source. */
const launch = { prefix: ["run", ...binaryFlags(), bundle], cwd: dir };
const ignore = noEsbuild && !BINARY_REQUIRED;

function assertBuilt(): void {
  assert.equal(built.code, 0, `deno bundle failed:\n${built.stderr}`);
}

Deno.test({
  name: "bundle: start serves /healthz, runs a function-file job in its isolates, stops on SIGTERM",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assertBuilt();
    await startRoundTrip(launch);
  },
});

Deno.test({
  name: "bundle: --version and --help run; manifest refuses to write (it runs its own)",
  ignore,
  fn: async () => {
    assertBuilt();
    const version = await sluice(["--version"], {}, launch);
    assert.equal(version.code, 0, version.stderr.join("\n"));
    assert.match(version.stdout[0]!, /^sluice \d+\.\d+\.\d+ \(deno /);
    const help = await sluice(["--help"], {}, launch);
    assert.equal(help.code, 0, help.stderr.join("\n"));
    for (const command of ["start", "worker", "gateway", "enqueue", "inspect"]) {
      assert.ok(help.stdout.some((l) => l.startsWith(`  ${command} `)), command);
    }
    const manifest = await sluice(["manifest"], {}, launch);
    assert.equal(manifest.code, 1);
    assert.match(manifest.stderr.join("\n"), /runs the manifest built into it/);
  },
});
