/**
 * The gateway on unique keys, schedules and rescheduling: a duplicate is a 409 naming the job
 * that holds the key (single and bulk enqueues, manual triggers), an unknown prerequisite a 422,
 * bad schedules a 400 naming the field, unknown ones a 404, a running job refused with 409.
 */
import assert from "node:assert/strict";
import { MemoryStore } from "../store.ts";
import { toApiError } from "../src/gateway/errors.ts";
import { type Harness, harness, TOKENS } from "./_gateway_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness(new MemoryStore());
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

async function admin(h: Harness, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await h.request(method, path, {
    token: TOKENS.admin,
    ...(body !== undefined ? { body } : {}),
  });
  const answer = await res.json();
  return { status: res.status, ...answer };
}

const unique = { key: "daily", scope: "queued" };

Deno.test("gateway: a unique key held by another job is a 409 with that job's id", async () => {
  await withHarness(async (h) => {
    const first = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 1, b: 1 },
      options: { unique },
    });
    assert.equal(first.status, 201);
    assert.equal((await h.engine.getJob(first.id))?.uniqueKey, "add:daily");
    const again = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 2, b: 2 },
      options: { unique },
    });
    assert.equal(again.status, 409);
    assert.equal(again.error.code, "DUPLICATE_JOB");
    assert.equal(again.error.status, 409);
    assert.deepEqual(again.error.details, {
      key: "add:daily",
      existingId: first.id,
      existingState: "waiting",
    });
    const bulk = await admin(h, "POST", "/v1/jobs/bulk", {
      jobs: [
        { job: "add", payload: { a: 3, b: 3 } },
        { job: "add", payload: { a: 4, b: 4 }, options: { unique } },
      ],
    });
    assert.equal(bulk.status, 409);
    assert.deepEqual([bulk.error.issues[0].path, bulk.error.details.existingId], [
      ["jobs", 1],
      first.id,
    ]);
    assert.equal((await h.engine.counts("math")).states.waiting, 2, "the bulk stored something");
    const existing = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 5, b: 5 },
      options: { unique: { ...unique, onConflict: "return-existing" } },
    });
    assert.deepEqual([existing.status, existing.id], [201, first.id]);
    const bad = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 1, b: 1 },
      options: { unique: { key: "", scope: "forever" } },
    });
    assert.equal(bad.status, 400);
    const paths = bad.error.issues.map((i: Json) => i.path.join("."));
    assert.deepEqual(paths.sort(), ["options.unique.key", "options.unique.scope"]);
  });
});

Deno.test("gateway: an unknown prerequisite is a 422 naming it", async () => {
  await withHarness(async (h) => {
    const refused = await h.engine.enqueue("add", { a: 1, b: 1 }, { dependsOn: ["no-such-job"] })
      .then(() => null, (error) => error);
    assert.ok(refused, "the engine accepted an unknown prerequisite");
    const mapped = toApiError(refused)!;
    assert.deepEqual([mapped.status, mapped.code, mapped.details], [
      422,
      "UNKNOWN_PREREQUISITE",
      { prerequisite: "no-such-job" },
    ]);
  });
});

Deno.test("gateway: a trigger refused by a unique key is a 409 too", async () => {
  await withHarness(async (h) => {
    const put = await admin(h, "PUT", "/v1/schedules/once", {
      job: "add",
      pattern: "@daily",
      payload: { a: 1, b: 1 },
      options: { unique: { key: "once" } },
    });
    assert.equal(put.status, 200, JSON.stringify(put));
    const first = await admin(h, "POST", "/v1/schedules/once/trigger");
    assert.equal(first.status, 201);
    const second = await admin(h, "POST", "/v1/schedules/once/trigger");
    assert.equal(second.status, 409);
    assert.equal(second.error.details.existingId, first.id);
  });
});

Deno.test("gateway: bad schedules are a 400 naming the field; unknown ones a 404", async () => {
  await withHarness(async (h) => {
    const pattern = await admin(h, "PUT", "/v1/schedules/x", { job: "add", pattern: "0 25 * * *" });
    assert.equal(pattern.status, 400);
    assert.equal(pattern.error.code, "VALIDATION_FAILED");
    assert.deepEqual(pattern.error.issues.map((i: Json) => i.path.join(".")), ["pattern"]);
    assert.match(pattern.error.issues[0].message, /0-23/);
    const tz = await admin(h, "PUT", "/v1/schedules/x", {
      job: "add",
      pattern: "@daily",
      tz: "Moon/Base",
    });
    assert.deepEqual([tz.status, tz.error.issues[0].path], [400, ["tz"]]);
    assert.match(tz.error.issues[0].message, /unknown time zone "Moon\/Base"/);
    const options = await admin(h, "PUT", "/v1/schedules/x", {
      job: "add",
      pattern: "@daily",
      options: { delay: 5 },
    });
    assert.equal(options.status, 400);
    const payload = await admin(h, "PUT", "/v1/schedules/x", {
      job: "add",
      pattern: "@daily",
      payload: { a: "one" },
    });
    assert.deepEqual([payload.status, payload.error.code], [422, "INVALID_PAYLOAD"]);
    const fn = await admin(h, "PUT", "/v1/schedules/x", { job: "nope", pattern: "@daily" });
    assert.deepEqual([fn.status, fn.error.code], [422, "UNKNOWN_FUNCTION"]);
    assert.equal(await h.engine.schedules.get("x"), null);
    for (
      const [method, path] of [
        ["GET", "/v1/schedules/missing"],
        ["DELETE", "/v1/schedules/missing"],
        ["POST", "/v1/schedules/missing/pause"],
        ["POST", "/v1/schedules/missing/resume"],
        ["POST", "/v1/schedules/missing/trigger"],
      ]
    ) {
      const answer = await admin(h, method!, path!);
      assert.deepEqual([answer.status, answer.error.code], [404, "SCHEDULE_NOT_FOUND"], path);
    }
  });
});

Deno.test("gateway: reschedule refuses a running job with 409, a bad body with 400", async () => {
  await withHarness(async (h) => {
    const at = Date.now() + 60_000;
    const moved = await admin(h, "POST", `/v1/jobs/${h.waiting}/reschedule`, {
      runAt: new Date(at).toISOString(),
    });
    assert.deepEqual([moved.status, moved.state], [200, "delayed"]);
    assert.equal((await h.engine.getJob(h.waiting))?.runAt, at);
    const both = await admin(h, "POST", `/v1/jobs/${h.waiting}/reschedule`, { delay: 1, runAt: 1 });
    assert.equal(both.status, 400);
    const none = await admin(h, "POST", `/v1/jobs/${h.waiting}/reschedule`, {});
    assert.equal(none.status, 400);
    const back = await admin(h, "POST", `/v1/jobs/${h.waiting}/reschedule`, { delay: 0 });
    assert.deepEqual([back.status, back.state], [200, "waiting"]);
    await h.store.reserve({ worker: "w", queues: ["math"], count: 1, leaseMs: 60_000 });
    const running = await admin(h, "POST", `/v1/jobs/${h.waiting}/reschedule`, { delay: 5 });
    assert.deepEqual([running.status, running.error.code], [409, "INVALID_STATE"]);
    assert.match(running.error.message, /cannot reschedule job .*: it is active/);
    const missing = await admin(h, "POST", "/v1/jobs/missing/reschedule", { delay: 5 });
    assert.equal(missing.status, 404);
  });
});
