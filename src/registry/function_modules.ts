/**
 * The module URLs that hold a project's functions, for isolates, which load the functions
 * themselves: every function file of a folder, or the generated manifest module.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { listFunctionFiles } from "./function_files.ts";
import type { FunctionManifest } from "./manifest.ts";

/** Where an engine got its functions. */
export type FunctionSource = string | FunctionManifest | null;

/**
 * The URLs of the modules defining the functions of `source`: the function files of a folder,
 * or the manifest module. Throws a `TypeError` for functions defined in code (`source` null),
 * which cannot cross into an isolate.
 */
export async function functionModules(source: FunctionSource): Promise<string[]> {
  if (typeof source === "string") {
    return (await listFunctionFiles(source)).map((file) =>
      pathToFileURL(resolve(source, file)).href
    );
  }
  if (source?.url) return [source.url];
  throw new TypeError(
    "work: isolates load functions from files: create the engine with a functions folder " +
      '(createEngine({ functions: "./functions" })) or a generated manifest, not with ' +
      "definitions made in code",
  );
}
