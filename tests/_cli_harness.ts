/**
 * Test harness: the command line in process. `run` captures a command's output lines while its
 * client commands act on a given store through an engine target (functions `add`, `boom`,
 * `greet`); `runReal` lets the command choose its target from its options and environment.
 *
 * @module
 */
import { createEngine, type Store } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { EngineTarget } from "../src/cli/engine_target.ts";
import { type CliIO, openTarget } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { silentLogger } from "../src/job/logger.ts";
import { Add, Boom, Greet } from "./_gateway_harness.ts";

/** What a command printed. */
export interface Captured extends CliIO {
  /** Lines printed to stdout. */
  stdout: string[];
  /** Lines printed to stderr. */
  stderr: string[];
  /** Progress lines shown. */
  progressed: string[];
}

/** Console lines captured; client commands act on `store` through an engine target. */
function io(store: Store = new MemoryStore()): Captured {
  const captured: Captured = {
    stdout: [],
    stderr: [],
    progressed: [],
    out: (line) => captured.stdout.push(line),
    err: (line) => captured.stderr.push(line),
    progress: (text) => captured.progressed.push(text),
    openTarget: () => {
      const engine = createEngine({ store, logger: silentLogger, functions: [Add, Boom, Greet] });
      return Promise.resolve(new EngineTarget(engine, "memory (test)"));
    },
  };
  return captured;
}

/** Runs `args`; client commands act on `store` (default: a fresh memory store). */
export async function run(args: string[], store?: Store): Promise<Captured & { code: number }> {
  const cli = io(store);
  const code = await main(args, cli);
  return Object.assign(cli, { code });
}

/** Runs `args` with the real target choice (gateway URL or Redis, from options and env). */
export async function runReal(args: string[]): Promise<Captured & { code: number }> {
  const captured: Captured = { ...io(), stdout: [], stderr: [], openTarget };
  captured.out = (line) => captured.stdout.push(line);
  captured.err = (line) => captured.stderr.push(line);
  const code = await main(args, captured);
  return Object.assign(captured, { code });
}
