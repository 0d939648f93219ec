/**
 * `sluice queue <queue>`: shows a queue's depth, lane configuration, rate limit and the limits of
 * its functions; with options, changes the configuration first (for every node at once).
 *
 * @module
 */
import { LANES } from "../job/lanes.ts";
import type { LaneConfigInput } from "../schedule/lane_config.ts";
import { clientFlags, type Command, withTarget } from "./command.ts";
import { type Args, UsageError } from "./flags.ts";
import { printTable, table } from "./table.ts";
import type { QueueDetail } from "./target.ts";

const FLAGS = [
  { name: "rate-limit", value: "N/MS", help: "at most N starts per MS ms from the queue; off" },
  { name: "weights", value: "LANE=N,...", help: "lane weights, e.g. high=8,low=2" },
  { name: "strict", value: "on|off", help: "strict priority instead of weighted fair" },
  { name: "aging-ms", value: "MS", help: "serve a job waiting this long next; off" },
  { name: "create", help: "act on a queue that does not exist yet (creating it)" },
];

/** The configuration change the options ask for (empty: none). */
export function configInput(args: Args): LaneConfigInput {
  const input: LaneConfigInput = {};
  const rate = args.given("rate-limit");
  if (rate !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(rate);
    if (rate !== "off" && !m) throw new UsageError(`--rate-limit is N/MS or off, got ${rate}`);
    input.rateLimit = m ? { max: Number(m[1]), duration: Number(m[2]) } : null;
  }
  const weights = args.given("weights");
  if (weights !== undefined) {
    input.weights = {};
    for (const pair of weights.split(",")) {
      const [lane, n] = pair.split("=");
      if (!LANES.includes(lane as never) || !/^\d+$/.test(n ?? "")) {
        throw new UsageError(`--weights takes lane=N pairs (lanes: ${LANES}), got ${pair}`);
      }
      input.weights[lane as (typeof LANES)[number]] = Number(n);
    }
  }
  const strict = args.given("strict");
  if (strict !== undefined) {
    if (strict !== "on" && strict !== "off") throw new UsageError("--strict is on or off");
    input.strict = strict === "on";
  }
  const aging = args.given("aging-ms");
  if (aging !== undefined) input.agingMs = aging === "off" ? null : args.ms("aging-ms") ?? null;
  return input;
}

/** The lines `queue` prints for `q`. */
export function describeQueue(q: QueueDetail): string[] {
  const { config } = q;
  const rate = config.rateLimit;
  const lines = table([
    ["queue", q.queue],
    ["paused", q.paused ? "yes" : "no"],
    ["waiting", `${q.states.waiting} (${q.throttled} held by limits)`],
    ["weights", LANES.map((lane) => `${lane}=${config.weights[lane]}`).join(" ")],
    ["strict", config.strict ? "on" : "off"],
    ["aging", config.agingMs === null ? "off" : `${config.agingMs} ms`],
    ["rate limit", rate ? `${rate.max} per ${rate.duration} ms` : "none"],
  ]);
  const rows: (string | number)[][] = [["function", "rate limit", "concurrency", "per key"]];
  for (const [name, l] of Object.entries(q.limits).sort(([a], [b]) => a.localeCompare(b))) {
    rows.push([
      name,
      l.rate ? `${l.rate.max} per ${l.rate.duration} ms` : "-",
      l.concurrency ?? "-",
      l.perKey ? "yes" : "no",
    ]);
  }
  lines.push("");
  printTable((line) => lines.push(line), rows, "no function limits");
  return lines;
}

/** The `queue` command. */
export const QUEUE_CONFIG_COMMAND: Command = {
  summary: "show a queue's depth, configuration and limits; with options, change them first",
  usage: ["queue <queue> [options]"],
  about: "Changes apply to every node at once; options left out keep their value.",
  flags: clientFlags(FLAGS),
  run: (args, io) => {
    if (args.positionals.length !== 1) throw new UsageError("queue needs one <queue>");
    const queue = args.positionals[0]!;
    const input = configInput(args);
    return withTarget("queue", args, io, async (target) => {
      if (Object.keys(input).length > 0) {
        await target.configureQueue(queue, input, args.has("create"));
      }
      for (const line of describeQueue(await target.queue(queue))) io.out(line);
      return 0;
    });
  },
};
