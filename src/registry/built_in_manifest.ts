/**
 * The manifest built into a compiled or bundled program: `functions/_manifest.gen.ts`, imported
 * with a literal specifier so `deno compile` and `deno bundle` take it (and through it every
 * function file) into the program.
 *
 * @module
 */
import type { FunctionManifest } from "./manifest.ts";

/** The project's generated manifest (written by `deno task manifest`). */
export async function builtInManifest(): Promise<FunctionManifest> {
  return (await import("../../functions/_manifest.gen.ts")).manifest;
}
