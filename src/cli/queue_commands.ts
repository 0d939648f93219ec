/**
 * The commands on queues, nodes and events: `queues`, `pause`, `resume`, `nodes`,
 * `events emit`. Each acts on a running Sluice through its target (see `target.ts`).
 *
 * @module
 */
import { LANES } from "../job/lanes.ts";
import type { EmitOptions } from "../engine/options.ts";
import { clientFlags, type Command, withTarget } from "./command.ts";
import { jobOptions, parseJson } from "./enqueue.ts";
import { type Args, UsageError } from "./flags.ts";
import { JOB_OPTION_FLAGS } from "./job_commands.ts";
import { printTable, when } from "./table.ts";
import type { Target } from "./target.ts";

const CREATE = {
  name: "create",
  help: "act on a queue that does not exist yet (creating it); else that is an error",
};

function pauseCommand(paused: boolean): Command {
  const name = paused ? "pause" : "resume";
  return {
    summary: paused
      ? "stop dispatch from a queue (producers can still enqueue)"
      : "resume dispatch from a queue, in the order jobs were waiting",
    usage: [`${name} <queue> [options]`],
    flags: clientFlags([CREATE]),
    run: (args, io) => {
      if (args.positionals.length !== 1) throw new UsageError(`${name} needs one <queue>`);
      const queue = args.positionals[0]!;
      return withTarget(name, args, io, async (target) => {
        await target.setPaused(queue, paused, args.has("create"));
        io.out(`${queue} ${paused ? "paused" : "resumed"}`);
        return 0;
      });
    },
  };
}

function emitArgs(args: Args): { event: string; payload: unknown; options: EmitOptions } {
  const [verb, event, json] = args.positionals;
  if (verb !== "emit" || event === undefined || args.positionals.length > 3) {
    throw new UsageError("events needs: emit <event> [payload-json]");
  }
  return {
    event,
    payload: json === undefined ? undefined : parseJson(json, "payload"),
    options: jobOptions(args, false) as EmitOptions,
  };
}

type Row = (string | number)[];

/** A command that prints a table read from the target (`queues`, `nodes`). */
function listing(name: string, summary: string, read: (target: Target) => Promise<Row[]>): Command {
  return {
    summary,
    usage: [`${name} [options]`],
    flags: clientFlags([]),
    run: (args, io) =>
      withTarget(name, args, io, async (target) => {
        printTable(io.out, await read(target), `no ${name}`);
        return 0;
      }),
  };
}

/** The queue, node and event commands by name. */
export const QUEUE_COMMANDS: Record<string, Command> = {
  queues: listing(
    "queues",
    "every queue: waiting jobs per lane, jobs per state",
    async (target) => {
      const states = ["delayed", "active", "completed", "dead", "cancelled"] as const;
      const rows: Row[] = [["queue", ...LANES, ...states, "paused"]];
      for (const c of await target.queues()) {
        rows.push([
          c.queue,
          ...LANES.map((lane) => c.lanes[lane].waiting),
          ...states.map((s) => c.states[s]),
          c.paused ? "yes" : "no",
        ]);
      }
      return rows;
    },
  ),
  pause: pauseCommand(true),
  resume: pauseCommand(false),
  nodes: listing(
    "nodes",
    "worker nodes: queues, busy slots, last heartbeat, and the leader",
    async (target) => {
      const { leader, nodes } = await target.nodes();
      const now = Date.now();
      const rows: Row[] = [["node", "leader", "queues", "busy", "heartbeat", "alive"]];
      for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
        rows.push([
          n.id,
          leader?.node === n.id ? `yes (epoch ${leader.epoch})` : "",
          n.queues.join(","),
          `${n.busy}/${n.concurrency}`,
          when(n.heartbeatAt),
          n.expiresAt > now ? "yes" : "expired",
        ]);
      }
      return rows;
    },
  ),
  events: {
    summary: "publish an event: one job per function that listens to it",
    usage: ["events emit <event> [payload-json] [options]"],
    about: "Prints the ids of the jobs it made, one per line (none when no function listens).",
    flags: clientFlags(
      JOB_OPTION_FLAGS.map((f) =>
        f.name === "id" ? { ...f, help: "event id: each job gets <id>:<function>, once" } : f
      ),
      true,
    ),
    run: (args, io) => {
      const { event, payload, options } = emitArgs(args);
      return withTarget("events", args, io, async (target) => {
        const ids = await target.emit(event, payload, options);
        if (ids.length === 0) {
          io.err(`sluice events: no function listens to ${JSON.stringify(event)}`);
        }
        for (const id of ids) io.out(id);
        return 0;
      }, true);
    },
  },
};
