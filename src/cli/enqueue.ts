/**
 * `sluice enqueue`: one job from the command line, or many from an NDJSON file (one
 * `{ "job", "payload", "options", "ref" }` per line, as the items of `POST /v1/jobs/bulk`) in
 * atomic batches, with a progress bar. Lines are checked here with the same schema as the
 * gateway's requests; a line's `options.dependsOn` may name refs of other lines (see
 * `file_refs.ts`).
 *
 * @module
 */
import { BulkItemError } from "../job/errors.ts";
import { LANES } from "../job/lanes.ts";
import { MAX_SCHEDULE_AHEAD_MS } from "../job/options.ts";
import { BulkItemRequest } from "../gateway/schemas/job.ts";
import { FileRefs } from "./file_refs.ts";
import { type Args, UsageError } from "./flags.ts";
import type { CliIO } from "./io.ts";
import { progressBar } from "./progress.ts";

import type { BulkJobRequest, JobRequest, Target } from "./target.ts";

/** Options of one job (or event) given as options: priority, delay, id (and queue). */
export function jobOptions(args: Args, withQueue: boolean): Record<string, unknown> {
  const delay = args.ms("delay", MAX_SCHEDULE_AHEAD_MS);
  const priority = args.choice("priority", LANES);
  return {
    ...(withQueue && args.string("queue") ? { queue: args.string("queue") } : {}),
    ...(priority ? { priority } : {}),
    ...(delay !== undefined ? { delay } : {}),
    ...(args.string("id") ? { id: args.string("id") } : {}),
  };
}

/** A checked job from `input` (a parsed line, or the command line's job); throws with paths. */
function item(input: unknown, where: string): BulkJobRequest {
  const parsed = BulkItemRequest.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      `${i.path.join(".") || "(line)"}: ${i.message}`
    );
    throw new UsageError(`${where}: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** `text` as JSON; a `UsageError` saying where otherwise. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where}: not JSON: ${(error as Error).message}`);
  }
}

/** The job `fn` with payload `json` and `options`, checked; a `UsageError` says what is wrong. */
export function jobRequest(fn: string, json: string, options: Record<string, unknown>): JobRequest {
  const payload = parseJson(json, "payload");
  return item({ job: fn, payload, ...(Object.keys(options).length ? { options } : {}) }, "job");
}

async function* lines(
  path: string,
): AsyncGenerator<{ line: string; number: number; bytes: number }> {
  const file = await Deno.open(path);
  let buffer = "";
  let number = 0;
  let bytes = 0;
  for await (const chunk of file.readable.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      bytes += new TextEncoder().encode(line).length + 1;
      yield { line, number: ++number, bytes };
    }
  }
  if (buffer.length > 0) yield { line: buffer, number: ++number, bytes: bytes + buffer.length };
}

/**
 * Enqueues the jobs of an NDJSON file in atomic batches of `batch`; returns how many. Stops at
 * the first bad line, naming it; the batches before it stay enqueued (give `options.id` to make
 * a re-run store nothing twice).
 */
export async function enqueueFile(
  target: Target,
  path: string,
  batch: number,
  io: CliIO,
): Promise<number> {
  const size = (await Deno.stat(path)).size || 1;
  const started = performance.now();
  let total = 0;
  let pending: { item: BulkJobRequest; number: number }[] = [];
  let read = 0;
  const refs = new FileRefs();
  const flush = async () => {
    if (pending.length === 0) return;
    const items = pending.map((p) => p.item);
    try {
      refs.stored(items, await target.enqueueBulk(items));
    } catch (error) {
      if (!(error instanceof BulkItemError)) throw error;
      const number = pending[error.index]?.number;
      // the line number says which item; the index within the batch would only confuse
      const reason = ((error.cause as Error)?.message ?? error.message).replace(/^item \d+: /, "");
      throw new UsageError(
        `${path}:${number}: ${reason} (${total} jobs enqueued before this batch)`,
      );
    }
    total += pending.length;
    pending = [];
    io.progress(progressBar(read / size, total, performance.now() - started), false);
  };
  for await (const { line, number, bytes } of lines(path)) {
    read = bytes;
    if (line.trim() === "") continue;
    const where = `${path}:${number}`;
    try {
      const job = refs.take(item(parseJson(line, where), where), where, number);
      pending.push({ item: job, number });
    } catch (error) {
      throw new UsageError(`${(error as Error).message} (${total} jobs enqueued before it)`);
    }
    if (pending.length >= batch) await flush();
  }
  await flush();
  io.progress(progressBar(1, total, performance.now() - started), true);
  return total;
}
