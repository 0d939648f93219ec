/**
 * Several worker processes on one Redis: `params.jobs` jobs are pre-filled and the queue paused
 * (untimed), `params.processes` Node processes (../bullmq_worker.mjs) each start a worker of
 * `params.concurrency` on it; the timed part resumes the queue and polls its counts every
 * `params.pollMs` ms until nothing is waiting or active.
 *
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { createInterface } from "node:readline";
import { closeAll, delay, fill, openQueue } from "./_common.mjs";

const WORKER = new URL("../bullmq_worker.mjs", import.meta.url).pathname;
const PENDING = ["wait", "paused", "active", "prioritized", "delayed"];

function startWorker(spec, queue, concurrency) {
  const child = spawn(process.execPath, [WORKER, JSON.stringify({ ...spec, queue, concurrency })], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const ready = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const message = JSON.parse(line);
      if (message.ready) resolve();
      else reject(new Error(`bullmq worker process: ${line}`));
    });
    child.on("exit", (code) => reject(new Error(`bullmq worker process exited with ${code}`)));
  });
  return { child, ready };
}

/** Prepares the measurement. */
export async function prepare(spec) {
  const { jobs, processes, concurrency, chunk, fillInflight = 1, pollMs } = spec.params;
  const queue = await openQueue(spec);
  await fill(queue, jobs, chunk, fillInflight);
  await queue.pause();
  const workers = Array.from(
    { length: processes },
    () => startWorker(spec, queue.name, concurrency),
  );
  await Promise.all(workers.map((w) => w.ready));
  const pending = async () => {
    const counts = await queue.getJobCounts(...PENDING);
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };
  return {
    run: async () => {
      await queue.resume();
      while (await pending() > 0) await delay(pollMs);
      return { jobs };
    },
    dispose: async () => {
      await Promise.all(workers.map(({ child }) => {
        const exited = new Promise((resolve) => child.on("exit", resolve));
        child.stdin.end();
        return exited;
      }));
      await closeAll([], [queue]);
    },
  };
}
