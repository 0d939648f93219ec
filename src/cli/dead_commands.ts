/**
 * `sluice dead`: list dead jobs, requeue them, or purge them, by id or by queue (and function).
 *
 * @module
 */
import { clientFlags, type Command, withTarget } from "./command.ts";
import { type Args, UsageError } from "./flags.ts";
import type { DeadSelection } from "./target.ts";
import { printTable, when } from "./table.ts";

const VERBS = ["list", "requeue", "purge"] as const;

function selection(args: Args, verb: string): DeadSelection {
  const ids = args.positionals.slice(1);
  const queue = args.string("queue");
  if (ids.length > 0 && queue) {
    throw new UsageError(`dead ${verb}: give job ids or --queue, not both`);
  }
  if (ids.length > 0) return { ids };
  if (!queue) throw new UsageError(`dead ${verb} needs job ids, or --queue Q (all its dead jobs)`);
  const fn = args.string("function");
  return { queue, ...(fn ? { function: fn } : {}) };
}

/** The dead-letter command. */
export const DEAD_COMMAND: Command = {
  summary: "dead jobs: list them, requeue them (attempts reset) or purge them",
  usage: [
    "dead [list] [--queue Q] [--function NAME] [--limit N] [options]",
    "dead requeue <job-id>... | --queue Q [--function NAME] [options]",
    "dead purge <job-id>... | --queue Q [--function NAME] [options]",
  ],
  flags: clientFlags([
    { name: "queue", value: "Q", help: "only this queue", default: "every queue (list)" },
    { name: "function", value: "NAME", help: "only this function" },
    { name: "limit", value: "N", help: "jobs listed at most (list)", default: "50" },
  ]),
  run: (args, io) => {
    const verb = args.positionals[0] ?? "list";
    if (!VERBS.includes(verb as typeof VERBS[number])) {
      throw new UsageError(`dead: unknown action ${JSON.stringify(verb)} (list, requeue or purge)`);
    }
    if (verb === "list") {
      if (args.positionals.length > 1) throw new UsageError("dead list takes no job ids");
      const limit = args.count("limit", 1, 1000) ?? 50;
      const queue = args.string("queue");
      const fn = args.string("function");
      return withTarget("dead", args, io, async (target) => {
        const jobs = await target.listDead({
          limit,
          ...(queue ? { queue } : {}),
          ...(fn ? { function: fn } : {}),
        });
        const rows = [["id", "function", "queue", "died", "error"]];
        for (const j of jobs) {
          const error = j.error ? `${j.error.name}: ${j.error.message}` : "";
          rows.push([
            j.id,
            j.name,
            j.queue,
            when(j.finishedAt),
            error.split("\n")[0]!.slice(0, 120),
          ]);
        }
        printTable(io.out, rows, "no dead jobs");
        return 0;
      });
    }
    const which = selection(args, verb);
    return withTarget("dead", args, io, async (target) => {
      const count = verb === "requeue"
        ? await target.requeueDead(which)
        : await target.purgeDead(which);
      io.out(`${verb === "requeue" ? "requeued" : "purged"} ${count} dead job(s)`);
      return 0;
    });
  },
};
