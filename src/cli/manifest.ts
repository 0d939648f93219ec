/**
 * `sluice manifest`: writes `functions/_manifest.gen.ts`, the static list of function files that
 * compiled and bundled programs load instead of scanning the folder; with `--check`, only says
 * whether it is current (exit 1 when stale), for CI. A compiled or bundled program only checks:
 * it runs the manifest built into it, and has no write permission.
 *
 * @module
 */
import { listFunctionFiles } from "../registry/function_files.ts";
import { manifestProblem, writeManifest } from "../registry/manifest.ts";
import { runningBundled } from "../worker/isolate_entry.ts";
import type { CliIO } from "./io.ts";

/** Writes (or with `check`, checks) the manifest of the functions folder `dir`. */
export async function manifest(dir: string, check: boolean, io: CliIO): Promise<number> {
  if (check) {
    const problem = await manifestProblem(dir, await listFunctionFiles(dir));
    if (problem) {
      io.err(`sluice manifest: ${problem}`);
      return 1;
    }
    io.out(`the manifest of ${dir} is current`);
    return 0;
  }
  if (Deno.build.standalone || runningBundled()) {
    io.err(
      "sluice manifest: a compiled or bundled program runs the manifest built into it; write " +
        "one in the source tree (deno task manifest) and build again (--check works here)",
    );
    return 1;
  }
  const { path, files } = await writeManifest(dir);
  io.out(`wrote ${path} with ${files.length} function file(s)`);
  for (const file of files) io.out(`  ${file}`);
  return 0;
}
