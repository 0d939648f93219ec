/**
 * The commands that run Sluice: `start` (everything in one process), `worker`, `gateway`, and
 * `manifest` (for compiled programs).
 *
 * @module
 */
import type { Command } from "./command.ts";
import {
  FUNCTIONS_FLAG,
  logFlags,
  loggerOf,
  SERVE_FLAGS,
  serveConfig,
  storeConfig,
  storeFlags,
} from "./config.ts";
import { type Args, type FlagGroup, HELP_FLAG } from "./flags.ts";
import type { Logger } from "../job/logger.ts";
import { gateway } from "./gateway.ts";
import { manifest } from "./manifest.ts";
import { start } from "./start.ts";
import { worker } from "./worker.ts";
import { PROBE_FLAGS } from "./worker_probe.ts";
import { workFlags, workOptions } from "./work_flags.ts";

const TOKENS_NOTE = "Tokens come from SLUICE_ADMIN_TOKEN (every endpoint) and SLUICE_READ_TOKEN " +
  "(GET endpoints); with neither, the API is open and listens on loopback only.";

/** A serving command on Redis (`worker`, `gateway`), logging JSON lines by default. */
function onRedis(
  name: string,
  summary: string,
  own: FlagGroup,
  serve: (args: Args, logger: Logger) => Promise<void>,
  about?: string,
): Command {
  return {
    summary,
    usage: [`${name} [options]`],
    ...(about ? { about } : {}),
    flags: [
      { title: "Options", flags: [HELP_FLAG] },
      { title: "Store", flags: storeFlags() },
      own,
      { title: "Logs", flags: logFlags("json") },
    ],
    run: async (args, io) => {
      await serve(args, loggerOf(args, "json", io.out));
      return 0;
    },
  };
}

/** The serving commands by name. */
export const SERVE_COMMANDS: Record<string, Command> = {
  start: {
    summary: "gateway (API, dashboard, metrics), worker and leader in one process, with a demo",
    usage: ["start [options]"],
    about: TOKENS_NOTE,
    flags: [
      {
        title: "Options",
        flags: [
          {
            name: "demo-rate",
            value: "N",
            help: "demo user.created events per second, 0 for none",
            default: "2",
          },
          HELP_FLAG,
        ],
      },
      { title: "Store", flags: storeFlags("memory://") },
      { title: "Gateway", flags: SERVE_FLAGS },
      { title: "Worker", flags: workFlags("4") },
      { title: "Logs", flags: logFlags("text") },
    ],
    run: async (args, io) => {
      const logger = loggerOf(args, "text", io.out);
      await start({
        store: storeConfig(args, "memory://"),
        serve: serveConfig(args),
        work: workOptions(args, 4),
        demoRate: args.count("demo-rate", 0) ?? 2,
      }, logger);
      return 0;
    },
  },
  worker: onRedis(
    "worker",
    "a worker node: runs the jobs of the functions folder, from Redis",
    { title: "Worker", flags: [...workFlags("10; with isolates, their slots"), ...PROBE_FLAGS] },
    (args, logger) => {
      const port = args.count("metrics-port", 0, 65_535);
      const hostname = args.string("metrics-hostname") ?? "0.0.0.0";
      return worker(
        storeConfig(args),
        workOptions(args),
        logger,
        port === undefined ? undefined : {
          port,
          hostname,
        },
      );
    },
  ),
  gateway: onRedis(
    "gateway",
    "the gateway alone (API, dashboard, metrics) over Redis",
    { title: "Gateway", flags: SERVE_FLAGS },
    (args, logger) => gateway(storeConfig(args), serveConfig(args), logger),
    TOKENS_NOTE,
  ),
  manifest: {
    summary: "write functions/_manifest.gen.ts (for deno compile and deno bundle)",
    usage: ["manifest [options]"],
    about: "Compiled and bundled programs cannot scan a folder; they load this list instead. " +
      "`deno task compile` and `deno task bundle` write it first.",
    flags: [{
      title: "Options",
      flags: [
        FUNCTIONS_FLAG,
        { name: "check", help: "only check that it is current (exit 1 when it is stale)" },
        HELP_FLAG,
      ],
    }],
    run: (args, io) => manifest(args.string("functions") ?? "./functions", args.has("check"), io),
  },
};
