/**
 * `sluice manifest`: writes `functions/_manifest.gen.ts`, the static list of function files that
 * compiled and bundled programs load instead of scanning the folder.
 *
 * @module
 */
import { writeManifest } from "../registry/manifest.ts";

/** Writes the manifest of the functions folder `dir` and says what it lists. */
export async function manifest(dir: string): Promise<void> {
  const { path, files } = await writeManifest(dir);
  console.log(`sluice: wrote ${path} with ${files.length} function file(s)`);
  for (const file of files) console.log(`  ${file}`);
}
