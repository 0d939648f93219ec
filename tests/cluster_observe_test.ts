/**
 * Observation across processes on Redis: a `sluice gateway` process and two `sluice worker`
 * processes. After 1,000 jobs, the gateway's `/metrics` (its process runs no worker) counts all
 * 1,000 in `sluice_job_duration_seconds` and has a utilization series per worker node, and its
 * `/v1/stream` delivered the events of both workers. A job cancelled through the gateway while
 * it runs on a worker hears of it at once (not at the next lease renewal, 10 s away) and ends
 * `cancelled` soon after its handler saw the signal. `engine.result` in this process (no worker)
 * resolves soon after the job completed on a worker; `POST /v1/jobs` with `wait` answers with a
 * fast job's result in one request. The issue asks 100 ms (cancel) and 50 ms (result): the
 * figures are printed; the assertions allow a generous bound on a busy machine.
 */
import assert from "node:assert/strict";
import { createEngine } from "../mod.ts";
import { RedisStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import { Quick } from "./fixtures/node_functions/observed.ts";
import { ServerProcess } from "./_cli_process.ts";
import { eventually, NodeProcess } from "./_node_process.ts";
import { parsePrometheus } from "./_prometheus.ts";
import { withRedis } from "./_redis_env.ts";
import { SseReader } from "./_sse_reader.ts";

const FUNCTIONS = new URL("./fixtures/node_functions/", import.meta.url).pathname;
const JOBS = 1_000;
/** A bound no store-driven path should come near, far below a lease third (10 s). */
const GENEROUS_MS = 2_000;

// deno-lint-ignore no-explicit-any
type Json = any;

async function call(base: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(new URL(path, base), {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return path === "/metrics" ? text : JSON.parse(text);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

await withRedis("observation across processes", (url) => {
  Deno.test({
    name: "cluster: a gateway process sees two worker processes' jobs, metrics, cancels, results",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const namespace = `observe-${crypto.randomUUID()}`;
      const common = ["--functions", FUNCTIONS, "--namespace", namespace];
      const gateway = new ServerProcess(
        ["gateway", ...common, "--store", url, "--port=0", "--log-format=json"],
      );
      const worker = () =>
        new NodeProcess(
          [...common, "--queues", "naps", "--concurrency=8", "--heartbeat-ms=300"],
          { REDIS_URL: url },
        );
      const workers = [worker(), worker()];
      const store = new RedisStore({ url, namespace });
      const engine = createEngine({ store, logger: silentLogger, functions: [Quick] });
      let stream: SseReader | null = null;
      try {
        const base = await gateway.url();
        await Promise.all(workers.map((w) => w.waitFor((e) => e.event === "node-started")));
        const nodeIds = workers.map((w) => w.nodeId!);
        stream = new SseReader(await fetch(new URL("/v1/stream?types=active", base)));
        await stream.until((m) => m.some((x) => x.event === "ready"));

        const jobs = Array.from(
          { length: JOBS },
          (_, i) =>
            i % 2
              ? { job: "quick", payload: { n: i } }
              : { job: "nap", payload: { ms: 1 + (i % 3) } },
        );
        for (let i = 0; i < JOBS; i += 250) {
          await call(base, "POST", "/v1/jobs/bulk", { jobs: jobs.slice(i, i + 250) });
        }
        await eventually(
          () => call(base, "GET", "/v1/queues"),
          (a) => a.queues[0]?.states.completed === JOBS,
        );
        await stream.until((m) => m.filter((x) => x.event === "active").length >= JOBS);
        const workersSeen = new Set(stream.of("active").map((m) => (m.data as Json).worker));
        assert.deepEqual([...workersSeen].sort(), [...nodeIds].sort(), "events of both workers");

        const scrape = parsePrometheus(await call(base, "GET", "/metrics"));
        const durations = scrape.samples.filter((s) =>
          s.name === "sluice_job_duration_seconds_count"
        );
        assert.deepEqual(durations.map((s) => s.labels.function).sort(), ["nap", "quick"]);
        assert.equal(sum(durations.map((s) => s.value)), JOBS, "durations of all 1,000 jobs");
        for (const node of nodeIds) {
          const series = scrape.samples.filter((s) =>
            s.name === "sluice_node_utilization" && s.labels.node === node
          );
          assert.equal(series.length, 1, `a utilization series for ${node}`);
        }
        await eventually(async () => {
          const m = parsePrometheus(await call(base, "GET", "/metrics"));
          return sum(
            m.samples.filter((s) =>
              s.name === "sluice_node_jobs_total" && s.labels.outcome === "completed"
            ).map((s) => s.value),
          );
        }, (done) => done === JOBS); // reported with heartbeats

        // a cancel through the gateway reaches the running job's node at once
        const { id: held } = await call(base, "POST", "/v1/jobs", { job: "hold", payload: {} });
        await eventually(() => call(base, "GET", `/v1/jobs/${held}`), (j) => j.state === "active");
        const asked = Date.now();
        await call(base, "POST", `/v1/jobs/${held}/cancel`);
        const cancelled = await eventually(
          () => call(base, "GET", `/v1/jobs/${held}`),
          (j) => j.state === "cancelled",
        );
        const { logs } = await call(base, "GET", `/v1/jobs/${held}/logs`);
        const saw = logs.find((l: Json) => l.message === "saw the signal");
        assert.ok(saw, `the handler logged seeing its signal: ${JSON.stringify(logs)}`);
        const heard = saw.at - asked;
        const ended = cancelled.finishedAt - saw.at;
        console.log(
          `cancel: the handler saw its signal ${heard} ms after the request; the job was ` +
            `cancelled ${ended} ms after that (the issue asks 100 ms; lease renewal: 10,000 ms)`,
        );
        assert.ok(heard < GENEROUS_MS, `the signal took ${heard} ms`);
        assert.ok(ended < GENEROUS_MS, `cancelled ${ended} ms after the handler saw the signal`);

        // engine.result in this process, which runs no worker
        const id = await engine.enqueue(Quick, { n: 21 });
        assert.deepEqual(await engine.result(id, { timeoutMs: 10_000 }), { doubled: 42 });
        const resolvedAt = Date.now();
        const finishedAt = (await engine.getJob(id))!.finishedAt!;
        console.log(
          `engine.result resolved ${resolvedAt - finishedAt} ms after the job completed on a ` +
            "worker process (the issue asks 50 ms)",
        );
        assert.ok(resolvedAt - finishedAt < GENEROUS_MS);

        // one request: enqueue and wait for the result
        const waited = await call(base, "POST", "/v1/jobs", {
          job: "quick",
          payload: { n: 5 },
          wait: 5_000,
        });
        assert.equal(waited.finished, true);
        assert.deepEqual(waited.job.result, { doubled: 10 });
        assert.ok(nodeIds.includes(waited.job.worker), "run by a worker process");
      } finally {
        await stream?.close();
        await Promise.all(workers.map((w) => w.close()));
        await gateway.close();
        await engine.close();
        await store.close();
        await dropNamespace(url, namespace);
      }
    },
  });
});
