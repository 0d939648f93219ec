/**
 * The commands on queues, nodes and events: `queues`, `pause`, `resume`, `nodes`,
 * `events emit`. Each acts on a running Sluice through its target (see `target.ts`).
 *
 * @module
 */
import { LANES } from "../job/lanes.ts";
import type { EmitOptions } from "../engine.ts";
import { clientFlags, type Command, withTarget } from "./command.ts";
import { jobOptions, parseJson } from "./enqueue.ts";
import { type Args, UsageError } from "./flags.ts";
import { JOB_OPTION_FLAGS } from "./job_commands.ts";
import { table, when } from "./table.ts";

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

/** The queue, node and event commands by name. */
export const QUEUE_COMMANDS: Record<string, Command> = {
  queues: {
    summary: "every queue: waiting jobs per lane, jobs per state",
    usage: ["queues [options]"],
    flags: clientFlags([]),
    run: (args, io) =>
      withTarget("queues", args, io, async (target) => {
        const all = await target.queues();
        if (all.length === 0) {
          io.out("no queues");
          return 0;
        }
        const states = ["delayed", "active", "completed", "dead", "cancelled"] as const;
        const rows: (string | number)[][] = [["queue", ...LANES, ...states, "paused"]];
        for (const c of all) {
          rows.push([
            c.queue,
            ...LANES.map((lane) => c.lanes[lane].waiting),
            ...states.map((s) => c.states[s]),
            c.paused ? "yes" : "no",
          ]);
        }
        for (const line of table(rows)) io.out(line);
        return 0;
      }),
  },
  pause: pauseCommand(true),
  resume: pauseCommand(false),
  nodes: {
    summary: "worker nodes: queues, busy slots, last heartbeat, and the leader",
    usage: ["nodes [options]"],
    flags: clientFlags([]),
    run: (args, io) =>
      withTarget("nodes", args, io, async (target) => {
        const { leader, nodes } = await target.nodes();
        if (nodes.length === 0) {
          io.out("no nodes");
          return 0;
        }
        const now = Date.now();
        const rows: (string | number)[][] = [[
          "node",
          "leader",
          "queues",
          "busy",
          "heartbeat",
          "alive",
        ]];
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
        for (const line of table(rows)) io.out(line);
        return 0;
      }),
  },
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
