/**
 * The read commands: `sluice inspect <id>` (one job as JSON), `sluice queues` (depth per queue,
 * lane and state) and `sluice dead` (dead letters).
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import { LANES } from "../job/lanes.ts";
import { flag, type Flags, numberOf } from "./config.ts";
import type { CliIO } from "./io.ts";

/** Prints job `id` as JSON; 1 when there is no such job. */
export async function inspect(engine: Engine, id: string, io: CliIO): Promise<number> {
  const job = await engine.getJob(id);
  if (!job) {
    io.err(`sluice: job ${JSON.stringify(id)} not found`);
    return 1;
  }
  io.out(JSON.stringify(job, null, 2));
  return 0;
}

/** Formats rows as aligned columns. */
export function table(rows: (string | number)[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i]!)).join("  ").trimEnd());
}

/** Prints every queue: waiting jobs per lane, then jobs per state. */
export async function queues(engine: Engine, io: CliIO): Promise<number> {
  const all = await engine.counts();
  const names = Object.keys(all).sort();
  if (names.length === 0) {
    io.out("no queues");
    return 0;
  }
  const rows: (string | number)[][] = [[
    "queue",
    ...LANES,
    "delayed",
    "active",
    "completed",
    "dead",
    "cancelled",
    "paused",
  ]];
  for (const name of names) {
    const c = all[name]!;
    rows.push([
      name,
      ...LANES.map((lane) => c.lanes[lane].waiting),
      c.states.delayed,
      c.states.active,
      c.states.completed,
      c.states.dead,
      c.states.cancelled,
      c.paused ? "yes" : "no",
    ]);
  }
  for (const line of table(rows)) io.out(line);
  return 0;
}

/** Prints the dead letters of one queue (`--queue`) or all, newest filters from the flags. */
export async function dead(engine: Engine, values: Flags, io: CliIO): Promise<number> {
  const limit = Math.floor(numberOf(flag(values, "limit"), "limit") ?? 50);
  const only = flag(values, "queue");
  const fn = flag(values, "function");
  const rows: string[][] = [["id", "function", "queue", "died", "error"]];
  for (const queue of only ? [only] : (await engine.queues()).sort()) {
    const page = await engine.deadLetters.list({ queue, limit, ...(fn ? { name: fn } : {}) });
    for (const job of page.jobs) {
      rows.push([
        job.id,
        job.name,
        job.queue,
        job.finishedAt ? new Date(job.finishedAt).toISOString() : "",
        job.error ? `${job.error.name}: ${job.error.message}` : "",
      ]);
    }
  }
  if (rows.length === 1) io.out("no dead jobs");
  else for (const line of table(rows)) io.out(line);
  return 0;
}
