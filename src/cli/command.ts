/**
 * The shape of one `sluice` command, and the running of a client command against its target.
 *
 * @module
 */
import { type Args, type FlagGroup, HELP_FLAG } from "./flags.ts";
import { FUNCTIONS_FLAG, TARGET_FLAGS } from "./config.ts";
import type { CliIO } from "./io.ts";
import type { Target } from "./target.ts";

/** One command. */
export interface Command {
  /** One line for the overview. */
  summary: string;
  /** Its usage lines, each after `sluice ` (e.g. `cancel <job-id> [options]`). */
  usage: string[];
  /** What it does, in a few sentences (optional). */
  about?: string;
  /** Its options, by heading; `-h, --help` is added. */
  flags: FlagGroup[];
  /** Runs it; resolves to the exit code. */
  run(args: Args, io: CliIO): Promise<number>;
}

/** The option groups of a client command: its own, then where it points. */
export function clientFlags(own: FlagGroup["flags"], checksPayloads = false): FlagGroup[] {
  return [
    { title: "Options", flags: [...own, HELP_FLAG] },
    {
      title: "Target (a running Sluice)",
      flags: checksPayloads
        ? [...TARGET_FLAGS, {
          ...FUNCTIONS_FLAG,
          help: "functions checking payloads (with --store)",
        }]
        : TARGET_FLAGS,
    },
  ];
}

/** Runs `fn` on the target `args` point at, closing it after. */
export async function withTarget(
  command: string,
  args: Args,
  io: CliIO,
  fn: (target: Target) => Promise<number>,
  checksPayloads = false,
): Promise<number> {
  const target = await io.openTarget({ command, args, checksPayloads });
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}
