/**
 * `/metrics` is the cluster's, on any gateway: after a scripted run by a worker in another
 * engine (the gateway's runs none), it parses as Prometheus text, depth gauges equal the store's
 * counts, job counters and histograms count every job the store finished (those failed straight
 * through the store too), nodes have their slots and utilization; one scrape reads the store
 * once. And the text writer's histograms are cumulative, in seconds.
 */
import assert from "node:assert/strict";
import { createEngine } from "../mod.ts";
import { LANES } from "../src/job/lanes.ts";
import { MemoryStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import { BUCKET_EDGES_MS, type MetricGroup } from "../src/store/observations.ts";
import { clusterMetricsText } from "../src/gateway/cluster_metrics.ts";
import { until } from "./_engine_conformance.ts";
import { Add, Boom, harness, TOKENS } from "./_gateway_harness.ts";
import { parsePrometheus, valueOf } from "./_prometheus.ts";

/** A memory store counting its `metrics` reads. */
class CountingStore extends MemoryStore {
  metricReads = 0;

  override metrics(query?: { minutes?: number }): ReturnType<MemoryStore["metrics"]> {
    this.metricReads++;
    return super.metrics(query);
  }
}

Deno.test("metrics: a gateway running no worker shows the cluster's run", async () => {
  const store = new CountingStore();
  const h = await harness(store);
  const back = createEngine({ store, logger: silentLogger, functions: [Add, Boom] });
  const worker = back.work({ queues: ["math", "doom"], concurrency: 4 });
  try {
    const jobs = [
      ...Array.from({ length: 6 }, (_, i) => ({ job: "add", payload: { a: i, b: 1 } })),
      { job: "boom", payload: { n: 10 } },
      { job: "boom", payload: { n: 11 } },
    ];
    const res = await h.request("POST", "/v1/jobs/bulk", { token: TOKENS.admin, body: { jobs } });
    assert.equal(res.status, 201);
    await res.body?.cancel();
    await until(() => h.engine.counts("math"), (c) => c.states.completed === 7);
    await until(() => h.engine.counts("doom"), (c) => c.states.dead === 4);
    await h.request("POST", "/v1/queues/doom/pause", { token: TOKENS.admin }).then((r) =>
      r.body?.cancel()
    );
    await until(() => Promise.resolve(worker.isLeader), (leads) => leads);

    const reads = store.metricReads;
    const [scrape, again] = await Promise.all([
      h.request("GET", "/metrics", { token: TOKENS.read }),
      h.request("GET", "/metrics", { token: TOKENS.read }),
    ]);
    assert.equal(store.metricReads - reads, 1, "two scrapes at once read the store once");
    await again.body?.cancel();
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(await scrape.text());

    for (const [queue, counts] of Object.entries(await h.engine.counts())) {
      for (const lane of LANES) {
        for (const [state, n] of Object.entries(counts.lanes[lane])) {
          assert.equal(
            valueOf(m, "sluice_queue_depth", { queue, lane, state }),
            n,
            `${queue}/${lane}/${state}`,
          );
        }
      }
      assert.equal(valueOf(m, "sluice_dead_letters", { queue }), counts.states.dead);
    }
    assert.equal(valueOf(m, "sluice_queue_paused", { queue: "doom" }), 1);
    assert.equal(valueOf(m, "sluice_queue_paused", { queue: "math" }), 0);

    const jobLabels = { queue: "math", lane: "normal", function: "add" };
    assert.equal(m.types.get("sluice_jobs_total"), "counter");
    // 7 add jobs: the harness's waiting one and the 6 above; 4 dead boom jobs, 2 of them failed
    // straight through the store by the harness: the store counted them all
    assert.equal(valueOf(m, "sluice_jobs_total", { ...jobLabels, outcome: "completed" }), 7);
    assert.equal(valueOf(m, "sluice_jobs_total", { function: "boom", outcome: "dead" }), 4);
    assert.equal(valueOf(m, "sluice_jobs_total", { function: "boom", outcome: "completed" }), 0);
    assert.equal(m.types.get("sluice_job_duration_seconds"), "histogram");
    assert.equal(valueOf(m, "sluice_job_duration_seconds_count", jobLabels), 7);
    assert.equal(valueOf(m, "sluice_job_duration_seconds_count", { function: "boom" }), 4);
    assert.equal(valueOf(m, "sluice_job_duration_seconds_bucket", { ...jobLabels, le: "+Inf" }), 7);
    assert.equal(m.types.get("sluice_job_wait_seconds"), "histogram");
    assert.equal(valueOf(m, "sluice_job_wait_seconds_count", jobLabels), 7);

    const node = worker.id;
    assert.equal(valueOf(m, "sluice_node_slots", { node }), 4);
    const utilization = valueOf(m, "sluice_node_utilization", { node });
    assert.ok(utilization !== undefined && utilization >= 0 && utilization <= 1);
    assert.ok((valueOf(m, "sluice_node_heartbeat_age_seconds", { node }) ?? -1) >= 0);
    assert.equal(m.types.get("sluice_node_jobs_total"), "counter");
    assert.notEqual(
      valueOf(m, "sluice_node_jobs_total", { node, outcome: "completed" }),
      undefined,
    );
    assert.equal(valueOf(m, "sluice_node_is_leader", { node }), 1);
    assert.equal(valueOf(m, "sluice_leader_present"), 1);
    assert.ok((valueOf(m, "sluice_process_start_time_seconds") ?? 0) > 0, "process metrics");
  } finally {
    await worker.stop();
    await back.close();
    await h.close();
  }
});

Deno.test("metrics: histograms are written cumulative, in seconds, from the store's buckets", () => {
  const run = { count: 6, sumMs: 1_234, buckets: BUCKET_EDGES_MS.map(() => 0).concat(1) };
  run.buckets[0] = 2; // <= 5 ms
  run.buckets[3] = 3; // <= 50 ms
  const group: MetricGroup = {
    queue: "q",
    lane: "high",
    name: "f",
    completed: 5,
    failed: 1,
    dead: 0,
    cancelled: 0,
    requeued: 0,
    throttled: 2,
    run,
    wait: { count: 0, sumMs: 0, buckets: run.buckets.map(() => 0) },
  };
  const text = clusterMetricsText(
    { totals: [group], counts: {}, nodes: [], leader: null, at: 0 },
    "x_",
  );
  const m = parsePrometheus(text);
  const labels = { queue: "q", lane: "high", function: "f" };
  const bucket = (le: string) => valueOf(m, "x_job_duration_seconds_bucket", { ...labels, le });
  assert.equal(valueOf(m, "x_jobs_throttled_total", labels), 2);
  assert.equal(bucket("0.005"), 2);
  assert.equal(bucket("0.025"), 2);
  assert.equal(bucket("0.05"), 5);
  assert.equal(bucket("300"), 5);
  assert.equal(bucket("+Inf"), 6);
  assert.equal(valueOf(m, "x_job_duration_seconds_sum", labels), 1.234);
  assert.equal(valueOf(m, "x_job_duration_seconds_count", labels), 6);
  assert.equal(valueOf(m, "x_jobs_total", { ...labels, outcome: "failed" }), 1);
  assert.equal(valueOf(m, "x_leader_present"), 0);
});
