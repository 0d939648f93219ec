/**
 * The Sluice command line: `deno task start`, and the entry of the compiled binary and of the
 * bundle (which also starts its isolates: see `../worker/isolate_entry.ts`). See `commands.ts` for
 * the commands and `sluice --help`.
 *
 * @module
 */
import config from "../../deno.json" with { type: "json" };
import { SluiceError } from "../job/errors.ts";
import { commandHelp, COMMANDS, overview } from "./commands.ts";
import { Args, UsageError } from "./flags.ts";
import { type CliIO, consoleIO } from "./io.ts";
import { inIsolate } from "../worker/isolate_entry.ts";
// Bundled with the command line, so that a `deno bundle` output can serve its own isolates (an
// isolate starts from the bundle; this module serves it there and does nothing elsewhere).
import "../worker/isolate_main.ts";

/** The version line of `sluice --version`. */
export function version(): string {
  return `sluice ${config.version} (deno ${Deno.version.deno})`;
}

/**
 * Runs the command line `args`; resolves to the exit code: 0, 1 when the command failed, 2 for a
 * usage error.
 */
export async function main(args: string[], io: CliIO = consoleIO): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--version" || name === "-V" || name === "version") {
    io.out(version());
    return 0;
  }
  if (name === undefined || name === "--help" || name === "-h") {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "help") {
    const topic = rest[0];
    if (topic === undefined) io.out(overview());
    else if (COMMANDS[topic]) io.out(commandHelp(topic));
    else {
      io.err(`sluice help: unknown command ${JSON.stringify(topic)}\n\n${overview()}`);
      return 2;
    }
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`sluice: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 2;
  }
  try {
    const parsed = new Args(rest, command.flags);
    if (parsed.has("help")) {
      io.out(commandHelp(name));
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`sluice ${name}: ${error.message} (see sluice ${name} --help)`);
      return 2;
    }
    if (error instanceof SluiceError || error instanceof TypeError || error instanceof RangeError) {
      io.err(`sluice ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main && !inIsolate()) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`sluice: ${(error as Error)?.stack ?? error}`);
    Deno.exit(1);
  }
}
