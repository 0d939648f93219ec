/**
 * A job's progress, logs and result over HTTP, whichever engine runs it (the gateway's engine
 * runs no worker): `GET /v1/jobs/{id}` shows the progress, `/logs` the stored lines;
 * `POST /v1/jobs` with `wait` answers with the finished job in one request, `GET ?wait=` once
 * it finished; a wait that ends first answers with the job as it is; waits are capped.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, type Engine } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { createGateway, type Gateway } from "../gateway.ts";
import { silentLogger } from "../src/job/logger.ts";
import { TOKENS } from "./_gateway_harness.ts";

const gates = new Map<number, PromiseWithResolvers<void>>();

/** Reports progress and logs, then waits for its gate (if it has one) and answers. */
const Report = define(
  { name: "report", payload: z.object({ n: z.number(), gated: z.boolean().default(false) }) },
  async ({ n, gated }, ctx) => {
    ctx.log("starting", { n });
    await ctx.progress(40, "warming up");
    ctx.log.warn("half way");
    if (gated) await gates.get(n)!.promise;
    return { doubled: n * 2 };
  },
);

/** A gateway over an engine that runs nothing, and a worker engine on the same store. */
async function withCluster(fn: (gateway: Gateway, front: Engine) => Promise<void>): Promise<void> {
  const store = new MemoryStore();
  const front = createEngine({ store, logger: silentLogger, functions: [Report] });
  const back = createEngine({ store, logger: silentLogger, functions: [Report] });
  const gateway = createGateway(front, { tokens: TOKENS, logger: silentLogger });
  const worker = back.work({ concurrency: 4 });
  try {
    await fn(gateway, front);
  } finally {
    for (const gate of gates.values()) gate.resolve();
    gateway.close();
    await worker.stop();
    await back.close();
    await front.close();
  }
}

// deno-lint-ignore no-explicit-any
type Json = any;

async function call(gateway: Gateway, method: string, path: string, body?: unknown) {
  const res = await gateway.app.request(path, {
    method,
    headers: {
      authorization: `Bearer ${TOKENS.admin}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() as Json };
}

Deno.test("results: POST with wait answers with the finished job in one request", async () => {
  await withCluster(async (gateway) => {
    const started = performance.now();
    const { status, body } = await call(gateway, "POST", "/v1/jobs", {
      job: "report",
      payload: { n: 21 },
      wait: 5_000,
    });
    console.log(
      `POST /v1/jobs with wait: answered in ${Math.round(performance.now() - started)} ms`,
    );
    assert.equal(status, 201);
    assert.equal(body.finished, true);
    assert.equal(body.job.id, body.id);
    assert.equal(body.job.state, "completed");
    assert.deepEqual(body.job.result, { doubled: 42 });
  });
});

Deno.test("results: progress and logs from the node that ran it; GET ?wait= waits for the end", async () => {
  await withCluster(async (gateway, front) => {
    gates.set(5, Promise.withResolvers());
    const { body: created } = await call(gateway, "POST", "/v1/jobs", {
      job: "report",
      payload: { n: 5, gated: true },
    });
    assert.deepEqual(Object.keys(created), ["id"], "without wait: the id only");
    const id = created.id;
    let job: Json;
    for (;;) { // the worker reports progress, then waits at its gate
      job = (await call(gateway, "GET", `/v1/jobs/${id}`)).body;
      if (job.progress) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(job.progress, { percent: 40, message: "warming up" });
    assert.equal(job.state, "active");

    // a wait that ends before the job does answers with the job as it is
    const short = await call(gateway, "GET", `/v1/jobs/${id}?wait=50`);
    assert.equal(short.status, 200);
    assert.equal(short.body.state, "active");

    const waiting = call(gateway, "GET", `/v1/jobs/${id}?wait=10000`);
    await new Promise((r) => setTimeout(r, 30));
    gates.get(5)!.resolve();
    const done = await waiting;
    assert.equal(done.body.state, "completed");
    assert.deepEqual(done.body.result, { doubled: 10 });
    assert.ok(Array.isArray(done.body.dependencies.prerequisites));

    const logs = (await call(gateway, "GET", `/v1/jobs/${id}/logs`)).body.logs;
    assert.deepEqual(
      logs.map((l: Json) => [l.level, l.message, l.fields ?? null]),
      [["info", "starting", { n: 5 }], ["warn", "half way", null]],
    );
    assert.deepEqual(await front.jobLogs(id), logs);
    assert.equal((await call(gateway, "GET", "/v1/jobs/nope/logs")).status, 404);
  });
});

Deno.test("results: waits are capped at 60 s, and a wait on an unknown job is a 404", async () => {
  await withCluster(async (gateway) => {
    const tooLong = await call(gateway, "POST", "/v1/jobs", {
      job: "report",
      payload: { n: 1 },
      wait: 60_001,
    });
    assert.equal(tooLong.status, 400);
    assert.deepEqual(tooLong.body.error.issues[0].path, ["wait"]);
    assert.equal((await call(gateway, "GET", "/v1/jobs/x?wait=60001")).status, 400);
    assert.equal((await call(gateway, "GET", "/v1/jobs/unknown?wait=100")).status, 404);
  });
});
