/**
 * Which files of a functions folder are function files: every `**\/*.ts` except `_`-prefixed
 * files and folders (internal helpers, the generated manifest), tests (`*_test.ts`, `*.test.ts`)
 * and declaration files.
 *
 * @module
 */
import { join } from "node:path";

/** True when the relative path `file` (with `/` separators) names a function file. */
export function isFunctionFile(file: string): boolean {
  const parts = file.split("/");
  const base = parts.at(-1)!;
  return base.endsWith(".ts") && !base.endsWith(".d.ts") && !base.endsWith("_test.ts") &&
    !base.endsWith(".test.ts") && parts.every((part) => !part.startsWith("_"));
}

/**
 * The function files under `dir`, as paths relative to it with `/` separators, sorted. Throws a
 * `TypeError` naming `dir` when it is not a readable folder.
 */
export async function listFunctionFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(dir, relative))) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.name.startsWith("_")) continue;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && isFunctionFile(path)) files.push(path);
    }
  };
  try {
    await walk("");
  } catch (error) {
    throw new TypeError(
      `functions: cannot read the folder ${JSON.stringify(dir)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return files.sort();
}
