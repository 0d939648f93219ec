/**
 * The BullMQ side of the benchmark: the npm `bullmq` package's `Queue` and `Worker` with their
 * default options (apart from concurrency, and `autorun: false` so the timer starts when the
 * worker does), under the bench's own key prefix. Each measurement uses a fresh queue name.
 *
 * @module
 */
import { type ConnectionOptions, Queue, Worker } from "bullmq";
// BullMQ does not export its version from the package root; this module is where it keeps it.
import { version as bullmqVersion } from "bullmq/dist/esm/version.js";
import { benchPayload, type Contender, HANDLER_RESULT, type Trial } from "./_contender.ts";
import { Countdown, delay, LATENCY_WARMUP_JOBS, runPool, sequentialLatencies } from "./_pacing.ts";
import { deleteKeys, type ProbeClient } from "./_redis_probe.ts";

const JOB_NAME = "bench-noop";

/** BullMQ connection options for a `redis://` URL. */
function connectionFromUrl(url: string): ConnectionOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, "") || "0");
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: Number(parsed.port || "6379"),
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** BullMQ on Redis, every key under `prefix:`. */
export class BullmqContender implements Contender {
  /** Which system. */
  readonly system = "bullmq" as const;
  /** The `bullmq` npm package version. */
  readonly version: string = bullmqVersion;
  #connection: ConnectionOptions;
  #prefix: string;
  #admin: ProbeClient;
  #queues = 0;

  /**
   * Uses `url` and key prefix `prefix`, which must be the bench's own; `admin` (left open) deletes
   * the prefix's keys in `clean`.
   */
  constructor(url: string, prefix: string, admin: ProbeClient) {
    this.#connection = connectionFromUrl(url);
    this.#prefix = prefix;
    this.#admin = admin;
  }

  /** Enqueues with `queue.add`, `inflight` calls at once. */
  async prepareEnqueueSingle(jobs: number, inflight: number): Promise<Trial> {
    const queue = await this.#openQueue();
    return {
      run: async () => {
        await runPool(jobs, inflight, (i) => queue.add(JOB_NAME, benchPayload(i)));
        return {};
      },
      dispose: () => queue.close(),
    };
  }

  /** Enqueues with `queue.addBulk`, `chunk` jobs per call. */
  async prepareEnqueueBulk(jobs: number, chunk: number): Promise<Trial> {
    const queue = await this.#openQueue();
    return {
      run: async () => {
        await fill(queue, jobs, chunk);
        return {};
      },
      dispose: () => queue.close(),
    };
  }

  /** Pre-fills in bulk; the run starts `new Worker(..., { concurrency })`, counts completions. */
  async prepareProcess(jobs: number, concurrency: number, chunk: number): Promise<Trial> {
    const queue = await this.#openQueue();
    await fill(queue, jobs, chunk);
    const countdown = new Countdown(jobs, "bullmq process");
    const worker = this.#worker(queue.name, concurrency, {
      completed: () => countdown.tick(),
      failed: (error) => countdown.fail(error),
    });
    await worker.waitUntilReady();
    return {
      run: async () => {
        void worker.run();
        await countdown.done;
        return {};
      },
      dispose: async () => {
        countdown.fail(new Error("disposed"));
        await worker.close();
        await queue.close();
      },
    };
  }

  /** Starts an idle worker; the run enqueues one job at a time and awaits its `completed`. */
  async prepareLatency(jobs: number, concurrency: number): Promise<Trial> {
    const queue = await this.#openQueue();
    let current: Countdown | null = null;
    const worker = this.#worker(queue.name, concurrency, {
      completed: () => current?.tick(),
      failed: (error) => current?.fail(error),
    });
    await worker.waitUntilReady();
    void worker.run();
    const sample = (n: number) =>
      sequentialLatencies(n, "bullmq latency", (i, countdown) => {
        current = countdown;
        return queue.add(JOB_NAME, benchPayload(i));
      });
    await sample(LATENCY_WARMUP_JOBS);
    await delay(50); // let the worker go idle again
    return {
      run: async () => ({ latenciesMs: await sample(jobs) }),
      dispose: async () => {
        await worker.close();
        await queue.close();
      },
    };
  }

  /** Deletes every key under the prefix (SCAN + UNLINK). */
  async clean(): Promise<void> {
    await deleteKeys(this.#admin, `${this.#prefix}:*`);
  }

  /** Nothing stays open between measurements. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async #openQueue(): Promise<Queue> {
    const queue = new Queue(`bench-${++this.#queues}`, {
      connection: this.#connection,
      prefix: this.#prefix,
    });
    queue.on("error", () => {}); // connection errors surface as failed calls
    await queue.waitUntilReady();
    return queue;
  }

  #worker(
    name: string,
    concurrency: number,
    on: { completed: () => void; failed: (error: Error) => void },
  ): Worker {
    const worker = new Worker(name, () => Promise.resolve(HANDLER_RESULT), {
      connection: this.#connection,
      prefix: this.#prefix,
      concurrency,
      autorun: false,
    });
    worker.on("completed", on.completed);
    worker.on("failed", (job, error) => on.failed(new Error(`job ${job?.id} failed: ${error}`)));
    worker.on("error", (error) => on.failed(error));
    return worker;
  }
}

async function fill(queue: Queue, jobs: number, chunk: number): Promise<void> {
  for (let start = 0; start < jobs; start += chunk) {
    const end = Math.min(start + chunk, jobs);
    const items = [];
    for (let i = start; i < end; i++) items.push({ name: JOB_NAME, data: benchPayload(i) });
    await queue.addBulk(items);
  }
}
