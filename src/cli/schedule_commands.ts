/**
 * `sluice schedules` (list cron schedules, define, delete, pause, resume or trigger one) and
 * `sluice reschedule` (move a job's due time). Each acts on a running Sluice through its target
 * (see `target.ts`).
 *
 * @module
 */
import { LANES } from "../job/lanes.ts";
import { MAX_SCHEDULE_AHEAD_MS } from "../job/options.ts";
import { ScheduleRequest } from "../gateway/schemas/schedule.ts";
import { CATCH_UP_POLICIES } from "../schedule/catch_up.ts";
import type { ScheduleInfo } from "../engine/schedules.ts";
import { clientFlags, type Command, withTarget } from "./command.ts";
import { parseJson } from "./enqueue.ts";
import { type Args, UsageError } from "./flags.ts";
import { printTable, when } from "./table.ts";
import type { ScheduleAction, ScheduleBody } from "./target.ts";

const ACTIONS = ["list", "set", "delete", "pause", "resume", "trigger"] as const;

/** A wall time of `tz` as "YYYY-MM-DD HH:MM:SS". */
function wall(t: number | undefined, tz: string): string {
  return t === undefined ? "" : new Date(t).toLocaleString("sv-SE", { timeZone: tz });
}

/** The table of `schedules`. */
function rows(schedules: ScheduleInfo[]): string[][] {
  const out = [["schedule", "function", "pattern", "tz", "paused", "next (in tz)", "last fired"]];
  for (const s of schedules) {
    out.push([
      s.name,
      s.job,
      s.pattern,
      s.tz,
      s.paused ? "yes" : "no",
      wall(s.next[0], s.tz),
      when(s.lastFiredAt),
    ]);
  }
  return out;
}

/** The schedule `set` defines, checked with the gateway's schema. */
function scheduleBody(args: Args): { name: string; body: ScheduleBody } {
  const [, name, fn, pattern, json, ...rest] = args.positionals;
  if (!name || !fn || !pattern || rest.length > 0) {
    throw new UsageError("schedules set needs <name> <function> <pattern> [payload-json]");
  }
  const queue = args.string("queue");
  const priority = args.choice("priority", LANES);
  const options = { ...(queue ? { queue } : {}), ...(priority ? { priority } : {}) };
  const parsed = ScheduleRequest.safeParse({
    job: fn,
    pattern,
    ...(args.string("tz") ? { tz: args.string("tz") } : {}),
    ...(json !== undefined ? { payload: parseJson(json, "payload") } : {}),
    ...(Object.keys(options).length ? { options } : {}),
    ...(args.string("catch-up") ? { catchUp: args.choice("catch-up", CATCH_UP_POLICIES) } : {}),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new UsageError(problems.join("; "));
  }
  return { name, body: parsed.data };
}

/** The schedules command. */
export const SCHEDULES_COMMAND: Command = {
  summary: "cron schedules: list them, define one, delete, pause, resume or trigger one",
  usage: [
    "schedules [list] [options]",
    "schedules set <name> <function> <pattern> [payload-json] [--tz ZONE] [options]",
    "schedules delete|pause|resume|trigger <name> [options]",
  ],
  about: "A pattern has 5 fields (minute hour day month weekday), 6 with seconds first, or is " +
    "an alias such as @daily; quote it. Times are read in --tz (an IANA zone). `trigger` " +
    "prints the id of the job it enqueued.",
  flags: clientFlags([
    { name: "tz", value: "ZONE", help: "IANA time zone of the pattern (set)", default: "UTC" },
    {
      name: "catch-up",
      value: "POLICY",
      help: "after downtime: skip, one or all (set)",
      default: "skip",
    },
    { name: "queue", value: "Q", help: "queue of its jobs (set)", default: "the function's" },
    {
      name: "priority",
      value: "LANE",
      help: "lane of its jobs (set)",
      default: "the function's",
    },
  ], true),
  run: (args, io) => {
    const action = args.positionals[0] ?? "list";
    if (!ACTIONS.includes(action as typeof ACTIONS[number])) {
      throw new UsageError(
        `schedules: unknown action ${JSON.stringify(action)} (${ACTIONS.join(", ")})`,
      );
    }
    if (action === "list") {
      if (args.positionals.length > 1) throw new UsageError("schedules list takes no names");
      return withTarget("schedules", args, io, async (target) => {
        printTable(io.out, rows(await target.schedules()), "no schedules");
        return 0;
      });
    }
    if (action === "set") {
      const { name, body } = scheduleBody(args);
      return withTarget("schedules", args, io, async (target) => {
        const schedule = await target.setSchedule(name, body);
        io.out(`${name} set; next: ${wall(schedule.next[0], schedule.tz)} ${schedule.tz}`);
        return 0;
      }, true);
    }
    const [, name, ...rest] = args.positionals;
    if (!name || rest.length > 0) throw new UsageError(`schedules ${action} needs one <name>`);
    return withTarget("schedules", args, io, async (target) => {
      if (action === "trigger") {
        io.out(await target.triggerSchedule(name));
      } else {
        await target.scheduleAction(name, action as ScheduleAction);
        io.out(`${name} ${action === "delete" ? "deleted" : `${action}d`}`);
      }
      return 0;
    });
  },
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `--at TIME` as epoch ms: digits, or an ISO 8601 date-time with its offset. */
function instant(text: string): number {
  const at = /^\d{1,16}$/.test(text) ? Number(text) : ISO.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(at)) {
    throw new UsageError(
      `at must be epoch ms or an ISO date-time with its offset (2030-01-01T09:00:00Z); got ${
        JSON.stringify(text)
      }`,
    );
  }
  return at;
}

/** The reschedule command. */
export const RESCHEDULE_COMMAND: Command = {
  summary: "move the due time of a waiting or delayed job",
  usage: ["reschedule <job-id> --delay MS | --at TIME [options]"],
  about: "Due later, the job is delayed; due now or earlier, it waits in its lane. A running " +
    "or finished job is refused. Prints the job's state after.",
  flags: clientFlags([
    { name: "delay", value: "MS", help: "due this many milliseconds from now, at most a year" },
    { name: "at", value: "TIME", help: "due at TIME: epoch ms or ISO 8601 with offset" },
  ]),
  run: (args, io) => {
    if (args.positionals.length !== 1) throw new UsageError("reschedule needs one <job-id>");
    const id = args.positionals[0]!;
    const delay = args.ms("delay", MAX_SCHEDULE_AHEAD_MS);
    const at = args.string("at");
    if ((delay === undefined) === (at === undefined)) {
      throw new UsageError("give --delay MS or --at TIME, one of them");
    }
    const to = delay !== undefined ? { delay } : { runAt: instant(at!) };
    return withTarget("reschedule", args, io, async (target) => {
      io.out(`${id} ${await target.reschedule(id, to)}`);
      return 0;
    });
  },
};
