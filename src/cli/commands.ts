/**
 * Every command of the `sluice` command line, the overview, and each command's help (its usage,
 * what it does, and its options with their defaults).
 *
 * @module
 */
import type { Command } from "./command.ts";
import { DEAD_COMMAND } from "./dead_commands.ts";
import { renderFlags } from "./flags.ts";
import { JOB_COMMANDS } from "./job_commands.ts";
import { QUEUE_COMMANDS } from "./queue_commands.ts";
import { QUEUE_CONFIG_COMMAND } from "./queue_config.ts";
import { SERVE_COMMANDS } from "./serve_commands.ts";
import { RESCHEDULE_COMMAND, SCHEDULES_COMMAND } from "./schedule_commands.ts";

export type { Command } from "./command.ts";

/** Every command by name, in overview order. */
export const COMMANDS: Record<string, Command> = {
  ...SERVE_COMMANDS,
  ...JOB_COMMANDS,
  reschedule: RESCHEDULE_COMMAND,
  queues: QUEUE_COMMANDS.queues!,
  queue: QUEUE_CONFIG_COMMAND,
  pause: QUEUE_COMMANDS.pause!,
  resume: QUEUE_COMMANDS.resume!,
  dead: DEAD_COMMAND,
  schedules: SCHEDULES_COMMAND,
  nodes: QUEUE_COMMANDS.nodes!,
  events: QUEUE_COMMANDS.events!,
};

/** The overview help. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: sluice <command> [options]",
    "       sluice help <command>   (or sluice <command> --help)",
    "       sluice --version",
    "",
    "Commands:",
    ...lines,
    "",
    "Client commands reach a running Sluice through its gateway (--url, SLUICE_URL; default",
    "http://127.0.0.1:8000, token from SLUICE_ADMIN_TOKEN) or straight through its Redis",
    "(--store, REDIS_URL).",
    "",
  ].join("\n");
}

/** `text` wrapped at `width` columns. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line].join("\n");
}

/** The help of command `name`. */
export function commandHelp(name: string): string {
  const command = COMMANDS[name]!;
  const usage = command.usage.map((u, i) => `${i === 0 ? "Usage: " : "       "}sluice ${u}`);
  const summary = `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`;
  const about = wrap(command.about ? `${summary} ${command.about}` : summary);
  return `${usage.join("\n")}\n\n${about}\n\n${renderFlags(command.flags)}\n`;
}
