/**
 * What every BullMQ scenario of the bench shares: the connection from a `redis://` URL, a queue
 * and a worker under the measurement's key prefix (BullMQ's defaults, apart from concurrency,
 * `autorun: false`, and `removeOnComplete` in the remove retention mode), bulk filling, a
 * bounded pool of calls, and a countdown of completions that fails instead of hanging.
 *
 * The payloads and the handler result match the Sluice side (bench/_payloads.ts).
 *
 * @module
 */
import { Queue, Worker } from "bullmq";

/** The job name both systems use for the no-op job. */
export const JOB_NAME = "bench-noop";

/** The small object every no-op handler returns. */
export const HANDLER_RESULT = Object.freeze({ ok: true });

/** The payload of job `n` (the same as Sluice's `benchPayload`). */
export function benchPayload(n) {
  return { n, user: `user-${n % 1000}`, action: "resize" };
}

/** The `{ i, email }` payload of the memory measurement. */
export function contactPayload(i) {
  return { i, email: `user${i}@example.com` };
}

/** A high-resolution wall clock (epoch ms with a fraction). */
export function nowMs() {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms` milliseconds. */
export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** BullMQ connection options for a `redis://` URL. */
export function connectionFromUrl(url) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: Number(parsed.port || "6379"),
    db: Number(parsed.pathname.replace(/^\//, "") || "0"),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/**
 * Opens queue `name` of the measurement `spec` ({ url, prefix, retention }) and waits until it
 * is connected. In the remove retention mode every job is added with `removeOnComplete: true`.
 */
export async function openQueue(spec, name = "bench") {
  const options = { connection: connectionFromUrl(spec.url), prefix: spec.prefix };
  if (spec.retention === "remove") options.defaultJobOptions = { removeOnComplete: true };
  const queue = new Queue(name, options);
  queue.on("error", () => {}); // connection errors surface as failed calls
  await queue.waitUntilReady();
  return queue;
}

/**
 * A worker on queue `name` (not started: call `run()`), with `processor` (a function, or a file
 * path for a sandboxed processor) and extra worker options. `on.completed(job)` and
 * `on.failed(error)` receive its outcomes.
 */
export function openWorker(spec, name, processor, options, on) {
  const worker = new Worker(name, processor, {
    connection: connectionFromUrl(spec.url),
    prefix: spec.prefix,
    autorun: false,
    ...options,
  });
  if (on.completed) worker.on("completed", on.completed);
  worker.on("failed", (job, error) => on.failed(new Error(`job ${job?.id} failed: ${error}`)));
  worker.on("error", (error) => on.failed(error));
  return worker;
}

/** Calls `call(i)` for i in [0, count) with at most `inflight` calls pending at once. */
export async function runPool(count, inflight, call) {
  let next = 0;
  const lane = async () => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inflight, count) }, lane));
}

/**
 * Adds `jobs` jobs (`payload(i)`, default the bench payload) with `queue.addBulk`, `chunk` per
 * call, `inflight` calls at once (1 for the timed bulk measurement, more to pre-fill).
 */
export async function fill(queue, jobs, chunk, inflight = 1, payload = benchPayload, opts) {
  const calls = Math.ceil(jobs / chunk);
  await runPool(calls, inflight, (c) => {
    const items = [];
    for (let i = c * chunk; i < Math.min((c + 1) * chunk, jobs); i++) {
      items.push(
        opts ? { name: JOB_NAME, data: payload(i), opts } : { name: JOB_NAME, data: payload(i) },
      );
    }
    return queue.addBulk(items);
  });
}

/**
 * Counts completions down to zero: `done` resolves after `total` ticks, and rejects on
 * `fail(error)` or when no tick came for `stallMs`.
 */
export class Countdown {
  #left;
  #last = performance.now();
  #watchdog;

  constructor(total, what, stallMs = 30_000) {
    this.#left = total;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => {});
    this.#watchdog = setInterval(() => {
      if (performance.now() - this.#last > stallMs) {
        this.fail(new Error(`${what}: no completion for ${stallMs} ms, ${this.#left} left`));
      }
    }, 1_000);
    if (total <= 0) this.#finish();
  }

  /** Records one completion. */
  tick() {
    this.#last = performance.now();
    if (--this.#left === 0) this.#finish();
  }

  /** Expects `n` more ticks (before the count reached zero). */
  more(n) {
    this.#left += n;
  }

  /** Fails `done`. */
  fail(error) {
    clearInterval(this.#watchdog);
    this.reject(error);
  }

  #finish() {
    clearInterval(this.#watchdog);
    this.resolve();
  }
}

/** Closes workers then queues, ignoring what is closed already. */
export async function closeAll(workers, queues) {
  for (const w of workers) await w.close(true).catch(() => {});
  for (const q of queues) await q.close().catch(() => {});
}
