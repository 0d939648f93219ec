/**
 * What Sluice's Redis scripts cost, in instructions: a private `redis-server` runs under
 * valgrind's callgrind, a `RedisStore` drives the hot verbs through it, and callgrind's counters
 * are dumped between the phases. Instruction counts do not move with the machine's load the way
 * timings do, so a change to a script shows its effect in one run, to a fraction of a percent.
 *
 * Phases (each on its own jobs): bulk enqueue in chunks of `--chunk`, enqueue in calls of
 * `--batch` jobs, first as one group (one `enqueueBulk`), then as one group each (concurrent
 * single enqueues, as the producer coalesces them), then reserve and complete interleaved,
 * `--batch` jobs a call with two batches leased at a time (as a busy worker does), then the jobs
 * of an idle node: enqueue one, reserve it with room for more (the reply answers the idle wait),
 * complete it. Figures are Redis instructions per job, the scripts and everything Redis does for
 * them included.
 *
 * ```sh
 * deno task bench:lua [--jobs 4000] [--batch 38] [--chunk 1000] [--retention remove|keep] [--quiet]
 * ```
 *
 * Needs valgrind (`callgrind_control` comes with it). Runs about a minute: callgrind runs Redis
 * some 50 times slower.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { NewJob, Reservation } from "../store.ts";
import { RedisStore } from "../store.ts";
import { CallgrindRedis } from "./_callgrind_redis.ts";
import { positiveCounts } from "./_tool_args.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    jobs: { type: "string", default: "4000" },
    batch: { type: "string", default: "38" },
    chunk: { type: "string", default: "1000" },
    retention: { type: "string", default: "remove" },
    quiet: { type: "boolean", default: false },
  },
});
const { jobs, batch, chunk } = positiveCounts("bench:lua", {
  jobs: values.jobs,
  batch: values.batch,
  chunk: values.chunk,
});
if (values.retention !== "keep" && values.retention !== "remove") {
  throw new Error(`bench:lua: --retention is keep or remove, not ${values.retention}`);
}

const PAYLOAD = new TextEncoder().encode(
  'S\u0000\u0001{"i":12345,"email":"user12345@example.com"}',
);

function newJobs(n: number): NewJob[] {
  return Array.from({ length: n }, () => ({
    id: crypto.randomUUID(),
    name: "bench-noop",
    queue: "default",
    lane: "normal",
    payload: PAYLOAD,
    delay: 0,
    maxAttempts: 3,
    backoff: null,
    dependsOn: [],
  }));
}

const redis = await CallgrindRedis.start("bench:lua");
const store = new RedisStore({
  url: redis.server.url,
  namespace: "lua-cost",
  retention: values.retention === "remove" ? { keepFinished: 0 } : {},
  ...(values.quiet ? { events: 0, metrics: false } : {}),
});
const rows: { phase: string; jobs: number; calls: number; perJob: number }[] = [];
try {
  await store.enqueue(newJobs(1)); // scripts loaded, queue registered: not counted
  await redis.dump();

  for (let i = 0; i < jobs; i += chunk) await store.enqueue(newJobs(Math.min(chunk, jobs - i)));
  rows.push({ phase: `enqueue, ${chunk} a call`, jobs, calls: Math.ceil(jobs / chunk), perJob: 0 });
  rows.at(-1)!.perJob = (await redis.dump()) / jobs;

  for (let i = 0; i < jobs; i += batch) await store.enqueue(newJobs(Math.min(batch, jobs - i)));
  rows.push({ phase: `enqueue, ${batch} a call`, jobs, calls: Math.ceil(jobs / batch), perJob: 0 });
  rows.at(-1)!.perJob = (await redis.dump()) / jobs;

  // concurrent `engine.enqueue` calls share a store call, each job a group of its own
  for (let i = 0; i < jobs; i += batch) {
    await store.enqueueGroups(newJobs(Math.min(batch, jobs - i)).map((job) => [job]));
  }
  rows.push({
    phase: `enqueue, ${batch} single job${batch === 1 ? "" : "s"} a call`,
    jobs,
    calls: Math.ceil(jobs / batch),
    perJob: 0,
  });
  rows.at(-1)!.perJob = (await redis.dump()) / jobs;

  const lease = () =>
    store.reserve({ worker: "w1", queues: ["default"], count: batch, leaseMs: 60_000 });
  const complete = (js: Reservation[]) =>
    store.complete(js.map((j) => ({ id: j.id, token: j.token, result: null })));
  let done = 0;
  let calls = 0;
  let previous = await lease();
  while (previous.length > 0) {
    const next = await lease();
    await complete(previous);
    done += previous.length;
    calls += 2;
    previous = next;
  }
  const spent = await redis.dump();
  rows.push({
    phase: `reserve + complete, ${batch} a call`,
    jobs: done,
    calls,
    perJob: spent / done,
  });

  const idleJobs = Math.min(jobs, 400);
  for (let i = 0; i < idleJobs; i++) {
    await store.enqueue(newJobs(1));
    let answered = false;
    const leased = await store.reserve({
      worker: "w1",
      queues: ["default"],
      count: 50,
      leaseMs: 60_000,
      onIdle: () => answered = true,
    });
    if (!answered) throw new Error("bench:lua: an idle reserve gave no idle answer");
    await complete(leased);
  }
  rows.push({
    phase: "an idle node's job: enqueue, reserve, complete",
    jobs: idleJobs,
    calls: idleJobs * 3,
    perJob: (await redis.dump()) / idleJobs,
  });
} finally {
  await store.close();
  await redis.stop();
}

const setting = `retention ${values.retention}${values.quiet ? ", no events or metrics" : ""}`;
console.log(`\n### Redis instructions per job (callgrind), ${setting}\n`);
console.log("| phase | jobs | script calls | instructions per job |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.phase} | ${r.jobs} | ${r.calls} | ${Math.round(r.perJob).toLocaleString("en-US")} |`,
  );
}
for (const r of rows) console.log(JSON.stringify({ bench: "lua-cost", setting, ...r }));
