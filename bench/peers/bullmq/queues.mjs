/**
 * One process serving many queues: BullMQ serves a queue per `Worker`, so the process runs
 * `params.queues` workers (concurrency `params.bullmqWorkerConcurrency` each) sharing one
 * ioredis connection for their commands (each keeps its own blocking connection, as BullMQ
 * requires), and the producer's queues share another. The bench measures Redis commands while
 * they idle (between prepare and run); the timed part adds one job to every queue and waits
 * until all have completed.
 *
 * @module
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import {
  closeAll,
  connectionFromUrl,
  Countdown,
  HANDLER_RESULT,
  JOB_NAME,
  openWorker,
} from "./_common.mjs";

/** Prepares the measurement. */
export async function prepare(spec) {
  const { queues, bullmqWorkerConcurrency } = spec.params;
  const options = { ...connectionFromUrl(spec.url), maxRetriesPerRequest: null };
  const producer = new Redis(options);
  const shared = new Redis(options);
  const names = Array.from({ length: queues }, (_, i) => `bench-q${i}`);
  const jobOptions = spec.retention === "remove" ? { removeOnComplete: true } : {};
  const open = names.map((name) =>
    new Queue(name, { connection: producer, prefix: spec.prefix, defaultJobOptions: jobOptions })
  );
  let countdown = null;
  const workers = names.map((name) =>
    openWorker(spec, name, () => Promise.resolve(HANDLER_RESULT), {
      connection: shared,
      concurrency: bullmqWorkerConcurrency,
    }, { completed: () => countdown?.tick(), failed: (error) => countdown?.fail(error) })
  );
  await Promise.all([...open, ...workers].map((x) => x.waitUntilReady()));
  for (const worker of workers) void worker.run();
  return {
    run: async () => {
      countdown = new Countdown(queues, "bullmq queues");
      await Promise.all(open.map((queue, i) => queue.add(JOB_NAME, { n: i })));
      await countdown.done;
      return {};
    },
    dispose: async () => {
      countdown?.fail(new Error("disposed"));
      await closeAll(workers, open);
      producer.disconnect();
      shared.disconnect();
    },
  };
}
