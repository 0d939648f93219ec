/**
 * The chaos suite's idempotent sink: every run of a chaos job appends a line when it starts and
 * one when it ends to a file of its process (`<dir>/<pid>.log`, append-only, so a process killed
 * mid-run leaves at most one torn last line, which is skipped). Reading the files gives, per job,
 * its runs in order, however often a job ran: counting runs is idempotent.
 *
 * @module
 */

/** The environment variable naming the sink directory in worker processes. */
export const SINK_ENV = "SLUICE_CHAOS_SINK";

/** One line: a run of `id` (attempt `attempt`) started (S) or ended (E) at `at` in `pid`. */
export interface SinkLine {
  /** S: started; E: ended (the handler returned, before the outcome was written). */
  kind: "S" | "E";
  /** Job id. */
  id: string;
  /** The attempt number the run had. */
  attempt: number;
  /** Worker process id. */
  pid: number;
  /** Epoch ms. */
  at: number;
}

const encoder = new TextEncoder();

/** Appends a line for the run of `id`, when the sink is configured (in a worker process). */
export async function record(kind: "S" | "E", id: string, attempt: number): Promise<void> {
  const dir = Deno.env.get(SINK_ENV);
  if (!dir) return;
  const line = `${kind} ${id} ${attempt} ${Deno.pid} ${Date.now()}\n`;
  await Deno.writeFile(`${dir}/${Deno.pid}.log`, encoder.encode(line), { append: true });
}

/** Every run of every job, read from `dir`: the lines of each job in time order. */
export async function readSink(dir: string): Promise<Map<string, SinkLine[]>> {
  const byJob = new Map<string, SinkLine[]>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".log")) continue;
    for (const text of (await Deno.readTextFile(`${dir}/${entry.name}`)).split("\n")) {
      const [kind, id, attempt, pid, at] = text.split(" ");
      if ((kind !== "S" && kind !== "E") || !id || at === undefined || !/^\d+$/.test(at)) continue;
      const line = {
        kind,
        id,
        attempt: Number(attempt),
        pid: Number(pid),
        at: Number(at),
      } as const;
      const lines = byJob.get(id) ?? [];
      lines.push(line);
      byJob.set(id, lines);
    }
  }
  for (const lines of byJob.values()) lines.sort((a, b) => a.at - b.at);
  return byJob;
}
