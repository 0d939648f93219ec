/**
 * The Sluice command line: `deno task start`, and the entry of the compiled binary. See
 * `commands.ts` for the commands and `sluice --help`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { commandHelp, COMMANDS, flagsOf, overview } from "./commands.ts";
import { type CliIO, consoleIO } from "./io.ts";
import { SluiceError } from "../job/errors.ts";

/** Runs the command line `args`; resolves to the exit code (2 for a usage error). */
export async function main(args: string[], io: CliIO = consoleIO): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`sluice: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: flagsOf(name),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.err(`sluice ${name}: ${(error as Error).message}\n\n${commandHelp(name)}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandHelp(name));
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      io.err(`sluice ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof SluiceError) {
      io.err(`sluice ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`sluice: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
