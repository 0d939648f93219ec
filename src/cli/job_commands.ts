/**
 * The commands on jobs: `enqueue`, `inspect`, `cancel`, `retry`, `priority`. Each acts on a
 * running Sluice through its target (see `target.ts`).
 *
 * @module
 */
import { LANES } from "../job/lanes.ts";
import { clientFlags, type Command, withTarget } from "./command.ts";
import { enqueueFile, jobOptions, jobRequest } from "./enqueue.ts";
import { type Args, type Flag, UsageError } from "./flags.ts";
import { graphLines } from "./graph_text.ts";
import { DEFAULT_GRAPH_NODES, MAX_GRAPH_NODES } from "../graph/walk.ts";
import type { PageRequest } from "../graph/page.ts";

/** The options of one job: queue, priority, delay, id. */
export const JOB_OPTION_FLAGS: readonly Flag[] = [
  {
    name: "priority",
    value: "LANE",
    help: "critical, high, normal, low or batch",
    default: "the function's",
  },
  {
    name: "delay",
    value: "MS",
    help: "run no earlier than MS milliseconds from now, at most a year",
    default: "0",
  },
  { name: "id", value: "ID", help: "job id: enqueueing the same id again stores nothing" },
];

function one(args: Args, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`${what} needs one <job-id>`);
  return args.positionals[0]!;
}

/** The graph page `--limit` and `--cursor` ask for (only with `--graph`). */
function graphPage(args: Args): PageRequest {
  const limit = args.count("limit", 1, MAX_GRAPH_NODES);
  const cursor = args.string("cursor");
  if (!args.has("graph") && (limit !== undefined || cursor !== undefined)) {
    throw new UsageError("--limit and --cursor page a graph: give --graph too");
  }
  return { ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) };
}

/** A command that acts on one job and prints its state after (`cancel`, `retry`). */
function stateAction(name: "cancel" | "retry", summary: string): Command {
  return {
    summary,
    usage: [`${name} <job-id> [options]`],
    flags: clientFlags([]),
    run: (args, io) => {
      const id = one(args, name);
      return withTarget(name, args, io, async (target) => {
        io.out(`${id} ${await target[name](id)}`);
        return 0;
      });
    },
  };
}

/** The job commands by name. */
export const JOB_COMMANDS: Record<string, Command> = {
  enqueue: {
    summary: "enqueue one job, or the jobs of an NDJSON file",
    usage: ["enqueue <function> <payload-json> [options]", "enqueue --file jobs.ndjson [options]"],
    about: "Prints the job id (or how many jobs a file enqueued). The payload is checked against " +
      "the function's schema; nothing is stored when it does not fit.",
    flags: clientFlags([
      { name: "queue", value: "Q", help: "queue", default: "the function's" },
      ...JOB_OPTION_FLAGS,
      {
        name: "file",
        value: "PATH",
        help: 'one {"job","payload","options","ref"} per line; options.dependsOn may name the ' +
          "ref of a line before, or of any line of the same batch",
      },
      { name: "batch", value: "N", help: "jobs per atomic batch of a file", default: "500" },
    ], true),
    run: (args, io) => {
      const file = args.string("file");
      if (!file && args.positionals.length !== 2) {
        throw new UsageError("enqueue needs <function> <payload-json>, or --file PATH");
      }
      if (file && args.positionals.length > 0) {
        throw new UsageError("give <function> <payload-json> or --file PATH, not both");
      }
      const batch = args.count("batch", 1, 10_000) ?? 500;
      const job = file
        ? null
        : jobRequest(args.positionals[0]!, args.positionals[1]!, jobOptions(args, true));
      return withTarget("enqueue", args, io, async (target) => {
        if (job) io.out(await target.enqueue(job));
        else io.out(`enqueued ${await enqueueFile(target, file!, batch, io)} jobs from ${file}`);
        return 0;
      }, true);
    },
  },
  inspect: {
    summary: "print one job as JSON: state, payload, result, error, attempts, progress, " +
      "logs, dependencies",
    usage: ["inspect <job-id> [options]", "inspect <job-id> --graph [--limit N] [--cursor C]"],
    about: "`progress` is the latest it reported (`ctx.progress`), `logs` its stored lines " +
      "(`ctx.log`), from whichever node ran it; `dependencies` lists its prerequisites and " +
      "first 50 dependents with their states. " +
      "With --graph, prints the dependency graph connected to the job instead: one line per " +
      "job, breadth first from it, with the prerequisites it waits for.",
    flags: clientFlags([
      { name: "graph", help: "print the job's dependency graph as text" },
      {
        name: "limit",
        value: "N",
        help: `jobs of the graph, at most ${MAX_GRAPH_NODES}`,
        default: String(DEFAULT_GRAPH_NODES),
      },
      { name: "cursor", value: "C", help: "continue a graph where the page before ended" },
    ]),
    run: (args, io) => {
      const id = one(args, "inspect");
      const page = graphPage(args);
      return withTarget("inspect", args, io, async (target) => {
        if (args.has("graph")) {
          for (const line of graphLines(await target.graph(id, page))) io.out(line);
          return 0;
        }
        const job = await target.getJob(id);
        if (!job) {
          io.err(`sluice inspect: job ${JSON.stringify(id)} not found on ${target.where}`);
          return 1;
        }
        io.out(JSON.stringify({ ...job, logs: await target.jobLogs(id) }, null, 2));
        return 0;
      });
    },
  },
  cancel: stateAction(
    "cancel",
    "cancel a job (an active one is aborted at once on its node)",
  ),
  retry: stateAction("retry", "run a dead job again, its attempts reset"),
  priority: {
    summary: "move a waiting or delayed job to another lane, keeping its place in line",
    usage: ["priority <job-id> <lane> [options]"],
    about: `Lanes: ${LANES.join(", ")}.`,
    flags: clientFlags([]),
    run: (args, io) => {
      const [id, lane] = args.positionals;
      if (args.positionals.length !== 2) throw new UsageError("priority needs <job-id> <lane>");
      if (!LANES.includes(lane as typeof LANES[number])) {
        throw new UsageError(
          `lane must be one of ${LANES.join(", ")}; got ${JSON.stringify(lane)}`,
        );
      }
      return withTarget("priority", args, io, async (target) => {
        await target.setPriority(id!, lane as typeof LANES[number]);
        io.out(`${id} ${lane}`);
        return 0;
      });
    },
  },
};
