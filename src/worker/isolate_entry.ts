/**
 * Where an isolate starts, and how code knows it runs in one. From source and from a `deno
 * compile` binary (which keeps the module layout), an isolate starts from `isolate_main.ts` beside
 * this file. A `deno bundle` output is one file: there is no `isolate_main.ts` next to it, so an
 * isolate starts from the bundle itself, which recognises the worker by its name (every isolate
 * is named `sluice-isolate-<n>`) and serves it instead of running the command line. So a bundle's
 * entry must import `isolate_main.ts` and must not run its own main inside an isolate, as
 * `src/cli/main.ts` does.
 *
 * @module
 */

/** The worker name of isolate `index`: how a bundled program knows it runs as an isolate. */
export function isolateName(index: number): string {
  return `${ISOLATE_PREFIX}${index}`;
}

const ISOLATE_PREFIX = "sluice-isolate-";

/** True when Sluice runs bundled into one file (this module is not its own file). */
export function runningBundled(): boolean {
  return !new URL(import.meta.url).pathname.endsWith("/worker/isolate_entry.ts");
}

/** The module a new isolate starts from: `isolate_main.ts`, or the bundle that holds it. */
export function isolateEntry(): URL {
  return runningBundled()
    ? new URL(import.meta.url)
    : new URL("./isolate_main.ts", import.meta.url);
}

/** True inside an isolate (a worker named by `isolateName`), false on the main thread. */
export function inIsolate(): boolean {
  const scope = globalThis as { name?: unknown; WorkerGlobalScope?: unknown };
  return scope.WorkerGlobalScope !== undefined && typeof scope.name === "string" &&
    scope.name.startsWith(ISOLATE_PREFIX);
}
