/**
 * `/metrics` after a scripted run: parses as Prometheus text, depth gauges equal the store's
 * counts, counters and histograms count what the worker did.
 */
import assert from "node:assert/strict";
import { LANES, MemoryStore } from "../mod.ts";
import { until } from "./_engine_conformance.ts";
import { harness, TOKENS } from "./_gateway_harness.ts";
import { parsePrometheus, valueOf } from "./_prometheus.ts";

Deno.test("metrics: a scripted run shows in /metrics as the store has it", async () => {
  const h = await harness(new MemoryStore());
  const worker = h.engine.work({ queues: ["math", "doom"], concurrency: 4 });
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

    const scrape = await h.request("GET", "/metrics", { token: TOKENS.read });
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
    assert.equal(valueOf(m, "sluice_dead_letters", { queue: "doom" }), 4);
    assert.equal(valueOf(m, "sluice_queue_paused", { queue: "doom" }), 1);
    assert.equal(valueOf(m, "sluice_queue_paused", { queue: "math" }), 0);
    assert.equal(m.types.get("sluice_jobs_total"), "counter");
    // 7 add jobs: the harness's waiting one and the 6 above; 4 dead boom jobs, 2 of them killed
    // through the store by the harness (no worker saw them), so 2 counted.
    assert.equal(valueOf(m, "sluice_jobs_total", { function: "add", outcome: "completed" }), 7);
    assert.equal(valueOf(m, "sluice_jobs_total", { function: "boom", outcome: "dead" }), 2);
    assert.equal(valueOf(m, "sluice_jobs_enqueued_total", { function: "add", queue: "math" }), 7);
    assert.equal(m.types.get("sluice_job_duration_seconds"), "histogram");
    assert.equal(
      valueOf(m, "sluice_job_duration_seconds_count", { function: "add", outcome: "completed" }),
      7,
    );
    assert.equal(
      valueOf(m, "sluice_job_duration_seconds_count", { function: "boom", outcome: "failed" }),
      2,
    );
    assert.equal(m.types.get("sluice_job_wait_seconds"), "histogram");
    assert.equal(
      valueOf(m, "sluice_job_wait_seconds_count", { function: "add", lane: "normal" }),
      7,
    );
    assert.equal(valueOf(m, "sluice_job_wait_seconds_bucket", { function: "add", le: "+Inf" }), 7);

    const node = worker.id;
    assert.equal(valueOf(m, "sluice_worker_slots", { node }), 4);
    const utilization = valueOf(m, "sluice_worker_utilization_ratio", { node });
    assert.ok(utilization !== undefined && utilization >= 0 && utilization <= 1);
    const leaders = m.samples.filter((s) => s.name === "sluice_node_is_leader").reduce(
      (a, s) => a + s.value,
      0,
    );
    assert.equal(leaders, 1, "one node is the leader");
    assert.equal(valueOf(m, "sluice_node_is_leader", { node }), 1);
    assert.equal(valueOf(m, "sluice_leader_present"), 1);
    assert.ok((valueOf(m, "sluice_process_start_time_seconds") ?? 0) > 0, "process metrics");
  } finally {
    await worker.stop();
    await h.close();
  }
});

Deno.test("metrics: each gateway has its own registry", async () => {
  const [a, b] = await Promise.all([harness(new MemoryStore()), harness(new MemoryStore())]);
  try {
    await a.engine.enqueue("add", { a: 1, b: 1 });
    const read = async (h: typeof a) =>
      parsePrometheus(await (await h.request("GET", "/metrics", { token: TOKENS.read })).text());
    // Each harness enqueued one `add` job itself; only `a` got the second.
    assert.equal(valueOf(await read(a), "sluice_jobs_enqueued_total", { function: "add" }), 2);
    assert.equal(valueOf(await read(b), "sluice_jobs_enqueued_total", { function: "add" }), 1);
  } finally {
    await a.close();
    await b.close();
  }
});
