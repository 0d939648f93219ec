/**
 * The commands of the `sluice` command line: name, help, flags, and what each runs.
 *
 * @module
 */
import type { ParseArgsOptionsConfig } from "node:util";
import {
  COMMON_FLAGS,
  engineConfig,
  ENVIRONMENT,
  flag,
  type Flags,
  numberOf,
  SERVE_FLAGS,
  serveConfig,
} from "./config.ts";
import { enqueueFile, enqueueOne } from "./enqueue.ts";
import { gateway } from "./gateway.ts";
import { dead, inspect, queues } from "./inspect.ts";
import type { CliIO } from "./io.ts";
import { manifest } from "./manifest.ts";
import { start } from "./start.ts";
import { worker } from "./worker.ts";
import { WORK_FLAGS, WORK_HELP, workOptions } from "./work_flags.ts";

/** One command. */
export interface Command {
  /** One line for the overview. */
  summary: string;
  /** Its help (after `Usage: sluice `). */
  help: string;
  /** Its own flags (besides the common ones). */
  flags: ParseArgsOptionsConfig;
  /** Runs it; resolves to the exit code. */
  run(values: Flags, args: string[], io: CliIO): Promise<number>;
}

const STORE_HELP = `  --store URL         store URL [REDIS_URL, else memory://]
  --namespace NAME    Redis key namespace [SLUICE_NAMESPACE, else "default"]
  --functions DIR     the functions folder [SLUICE_FUNCTIONS, else ./functions]
  -h, --help          this help`;

const SERVE_HELP = `  --port N            gateway port [PORT, else 8000]
  --hostname ADDR     address; loopback only unless SLUICE_ADMIN_TOKEN or SLUICE_READ_TOKEN is set`;

/** Runs `fn` with an engine opened from `values`, closing it after. */
async function withEngine(
  values: Flags,
  io: CliIO,
  fn: (engine: Awaited<ReturnType<CliIO["openEngine"]>>) => Promise<number>,
): Promise<number> {
  const engine = await io.openEngine(engineConfig(values));
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

function usage(message: string): never {
  throw new TypeError(message);
}

/** Every command by name. */
export const COMMANDS: Record<string, Command> = {
  start: {
    summary:
      "gateway (API, dashboard, metrics), worker and leader in one process, with a demo producer",
    help: `start [options]\n\n${STORE_HELP}\n${SERVE_HELP}\n${WORK_HELP}\n` +
      "  --demo-rate N       demo user.created events per second, 0 for none (default 2)",
    flags: { ...SERVE_FLAGS, ...WORK_FLAGS, "demo-rate": { type: "string" } },
    run: async (values, _args, io) => {
      await start({
        engine: engineConfig(values),
        serve: serveConfig(values),
        work: workOptions(values, 4),
        demoRate: numberOf(flag(values, "demo-rate") ?? "2", "demo-rate", true)!,
      }, io);
      return 0;
    },
  },
  worker: {
    summary: "a worker node: runs jobs of the functions folder from the store",
    help: `worker [options]\n\n${STORE_HELP}\n${WORK_HELP}`,
    flags: WORK_FLAGS,
    run: async (values) => {
      await worker({ ...engineConfig(values), work: workOptions(values) });
      return 0;
    },
  },
  gateway: {
    summary: "the gateway alone (API, dashboard, metrics) over the store",
    help: `gateway [options]\n\n${STORE_HELP}\n${SERVE_HELP}`,
    flags: SERVE_FLAGS,
    run: async (values, _args, io) => {
      await gateway(engineConfig(values), serveConfig(values), io);
      return 0;
    },
  },
  enqueue: {
    summary: "enqueue one job, or the jobs of an NDJSON file",
    help:
      `enqueue <function> <payload-json> [options]\n       sluice enqueue --file jobs.ndjson\n\n` +
      "  --queue Q, --priority LANE, --delay MS, --id ID   options of one job\n" +
      '  --file PATH         one {"job","payload","options"} per line, enqueued in atomic batches\n' +
      `  --batch N           jobs per batch (default 500)\n${STORE_HELP}`,
    flags: {
      queue: { type: "string" },
      priority: { type: "string" },
      delay: { type: "string" },
      id: { type: "string" },
      file: { type: "string" },
      batch: { type: "string" },
    },
    run: (values, args, io) =>
      withEngine(values, io, async (engine) => {
        const file = flag(values, "file");
        if (file) {
          const batch = Math.floor(numberOf(flag(values, "batch") ?? "500", "batch")!);
          io.out(
            `sluice: enqueued ${await enqueueFile(engine, file, batch, io)} jobs from ${file}`,
          );
          return 0;
        }
        if (args.length !== 2) usage("enqueue needs <function> <payload-json>, or --file PATH");
        await enqueueOne(engine, args[0]!, args[1]!, values, io);
        return 0;
      }),
  },
  inspect: {
    summary: "print one job as JSON: state, payload, result, error, attempts",
    help: `inspect <job-id> [options]\n\n${STORE_HELP}`,
    flags: {},
    run: (values, args, io) => {
      if (args.length !== 1) usage("inspect needs one <job-id>");
      return withEngine(values, io, (engine) => inspect(engine, args[0]!, io));
    },
  },
  queues: {
    summary: "every queue: waiting jobs per lane, jobs per state",
    help: `queues [options]\n\n${STORE_HELP}`,
    flags: {},
    run: (values, _args, io) => withEngine(values, io, (engine) => queues(engine, io)),
  },
  dead: {
    summary: "dead letters of one queue or all",
    help:
      `dead [options]\n\n  --queue Q           only this queue\n  --function NAME     only this function\n` +
      `  --limit N           per queue (default 50)\n${STORE_HELP}`,
    flags: { queue: { type: "string" }, function: { type: "string" }, limit: { type: "string" } },
    run: (values, _args, io) => withEngine(values, io, (engine) => dead(engine, values, io)),
  },
  manifest: {
    summary: "write functions/_manifest.gen.ts (static imports, for deno compile / bundle)",
    help: `manifest [options]\n\n${STORE_HELP}`,
    flags: {},
    run: async (values) => {
      await manifest(engineConfig(values).functions);
      return 0;
    },
  },
};

/** The overview help. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return `Usage: sluice <command> [options]   (sluice <command> --help for its options)\n\n` +
    `Commands:\n${lines.join("\n")}\n\n${ENVIRONMENT}\n`;
}

/** The help of `name`. */
export function commandHelp(name: string): string {
  return `Usage: sluice ${COMMANDS[name]!.help}\n\n${ENVIRONMENT}\n`;
}

/** The flags `name` accepts. */
export function flagsOf(name: string): ParseArgsOptionsConfig {
  return { ...COMMON_FLAGS, ...COMMANDS[name]!.flags };
}
