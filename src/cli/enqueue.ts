/**
 * `sluice enqueue`: one job from the command line, or many from an NDJSON file (one
 * `{ "job", "payload", "options" }` per line, as `POST /v1/jobs` takes) in atomic batches, with a
 * progress bar. Lines are checked with the same schema as the gateway's requests.
 *
 * @module
 */
import type { BulkItem, Engine } from "../engine.ts";
import { BulkItemError } from "../job/errors.ts";
import { EnqueueRequest } from "../gateway/schemas/job.ts";
import { engineOptions } from "../gateway/routes/jobs.ts";
import { flag, type Flags, numberOf } from "./config.ts";
import type { CliIO } from "./io.ts";
import { progressBar } from "./progress.ts";

/** Options of one job given as flags. */
function flagOptions(values: Flags): Record<string, unknown> {
  const delay = numberOf(flag(values, "delay"), "delay", true);
  return {
    ...(flag(values, "queue") ? { queue: flag(values, "queue") } : {}),
    ...(flag(values, "priority") ? { priority: flag(values, "priority") } : {}),
    ...(delay !== undefined ? { delay } : {}),
    ...(flag(values, "id") ? { id: flag(values, "id") } : {}),
  };
}

/** A checked item from `input` (a parsed line, or the command line's job); throws with paths. */
function item(input: unknown, where: string): BulkItem {
  const parsed = EnqueueRequest.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      `${i.path.join(".") || "(line)"}: ${i.message}`
    );
    throw new TypeError(`${where}: ${problems.join("; ")}`);
  }
  const { job, payload, options } = parsed.data;
  return { job, payload, options: engineOptions(options) };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${where}: not JSON: ${(error as Error).message}`);
  }
}

/** Enqueues the job `fn` with payload `json`; prints its id. */
export async function enqueueOne(
  engine: Engine,
  fn: string,
  json: string,
  values: Flags,
  io: CliIO,
): Promise<void> {
  const payload = parseJson(json, "payload");
  const options = flagOptions(values);
  const one = item(
    { job: fn, payload, ...(Object.keys(options).length ? { options } : {}) },
    "job",
  );
  io.out(await engine.enqueue(one.job as string, one.payload, one.options));
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
  engine: Engine,
  path: string,
  batch: number,
  io: CliIO,
): Promise<number> {
  const size = (await Deno.stat(path)).size || 1;
  const started = performance.now();
  let total = 0;
  let pending: { item: BulkItem; number: number }[] = [];
  let read = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    try {
      await engine.enqueueBulk(pending.map((p) => p.item));
    } catch (error) {
      if (!(error instanceof BulkItemError)) throw error;
      const number = pending[error.index]?.number;
      throw new TypeError(
        `${path}:${number}: ${(error.cause as Error)?.message ?? error.message} ` +
          `(${total} jobs enqueued before this batch)`,
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
      pending.push({ item: item(parseJson(line, where), where), number });
    } catch (error) {
      throw new TypeError(`${(error as Error).message} (${total} jobs enqueued before it)`);
    }
    if (pending.length >= batch) await flush();
  }
  await flush();
  io.progress(progressBar(1, total, performance.now() - started), true);
  return total;
}
