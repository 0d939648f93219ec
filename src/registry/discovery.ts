/**
 * Loads the job functions of a project: from a functions folder (every function file, imported
 * dynamically: dropping a new file is all it takes) or from a generated manifest (compiled and
 * bundled programs, where directory scans do not work).
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "../job/logger.ts";
import type { JobDefinition } from "./definition.ts";
import { listFunctionFiles } from "./function_files.ts";
import { FunctionSet } from "./function_set.ts";
import type { FunctionManifest } from "./manifest.ts";

/**
 * Imports every function file under `dir` and returns the functions they export. Two functions
 * with one name throw a `TypeError` naming both files; a file exporting no job logs a warning.
 * (A stale manifest does not matter here: `sluice manifest --check` and the compile tasks see
 * to it.)
 */
export async function discoverFunctions(dir: string, logger: Logger): Promise<JobDefinition[]> {
  if (Deno.build.standalone) {
    throw new TypeError(
      `functions: cannot scan ${JSON.stringify(dir)} in a compiled program; pass the generated ` +
        "manifest (functions/_manifest.gen.ts) instead",
    );
  }
  const files = await listFunctionFiles(dir);
  const set = new FunctionSet();
  for (const file of files) {
    const url = pathToFileURL(resolve(dir, file)).href;
    let exports: Record<string, unknown>;
    try {
      exports = await import(url);
    } catch (error) {
      throw new TypeError(`functions: cannot load ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    warnIfEmpty(set.add(file, exports), file, logger);
  }
  return set.definitions();
}

/** The functions a generated manifest lists; same rules as `discoverFunctions`. */
export function functionsFromManifest(manifest: FunctionManifest, logger: Logger): JobDefinition[] {
  const set = new FunctionSet();
  for (const [file, exports] of Object.entries(manifest.files)) {
    warnIfEmpty(set.add(file, exports), file, logger);
  }
  return set.definitions();
}

function warnIfEmpty(found: number, file: string, logger: Logger): void {
  if (found === 0) {
    logger.warn(`functions: ${file} exports no job (a define() result or a @job class)`, { file });
  }
}
