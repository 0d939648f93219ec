/**
 * What commands talk to: output lines, a progress line, and how they open an engine (tests
 * inject one on a shared memory store).
 *
 * @module
 */
import { createEngine, type Engine } from "../engine.ts";
import type { EngineConfig } from "./config.ts";
import { functionSource } from "./function_source.ts";

/** The outside world of a command. */
export interface CliIO {
  /** Prints a line of output (stdout). */
  out(line: string): void;
  /** Prints a line of diagnostics (stderr). */
  err(line: string): void;
  /** Shows a progress line (stderr), replacing the previous one; `done` ends it. */
  progress(text: string, done: boolean): void;
  /** Opens the engine of `config` (default: `createEngine` on its store and functions). */
  openEngine(config: EngineConfig): Promise<Engine>;
}

const encoder = new TextEncoder();

/** Opens an engine on the store of `config` with its functions, ready. */
export async function openEngine(config: EngineConfig): Promise<Engine> {
  const functions = await functionSource(config.functions);
  const engine = createEngine({ store: config.store, namespace: config.namespace, functions });
  await engine.ready();
  return engine;
}

/** The console: progress redrawn in place on a terminal, only its last state otherwise. */
export const consoleIO: CliIO = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: (text, done) => {
    if (Deno.stderr.isTerminal()) {
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}${done ? "\n" : ""}`));
    } else if (done) {
      console.error(text);
    }
  },
  openEngine,
};
