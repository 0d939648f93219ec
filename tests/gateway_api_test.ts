/**
 * Gateway behaviour beyond the endpoint suite: validation with field paths, one error shape,
 * no 500 for bad input, filters and cursor pagination, the event stream.
 */
import assert from "node:assert/strict";
import { MemoryStore } from "../store.ts";
import { ENDPOINTS } from "./_gateway_endpoints.ts";
import { type Harness, harness, TOKENS } from "./_gateway_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function withHarness(
  fn: (h: Harness) => Promise<void>,
  maxBodyBytes?: number,
): Promise<void> {
  const h = await harness(new MemoryStore(), maxBodyBytes ? { maxBodyBytes } : {});
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

async function admin(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
): Promise<[number, Json]> {
  const res = await h.request(method, path, {
    token: TOKENS.admin,
    ...(body !== undefined ? { body } : {}),
  });
  return [res.status, await res.json()];
}

function assertErrorShape(answer: Json, status: number, code?: string): void {
  assert.equal(typeof answer.error.message, "string");
  assert.equal(answer.error.status, status);
  if (code) assert.equal(answer.error.code, code);
}

Deno.test("gateway: request validation names every bad field by path", async () => {
  await withHarness(async (h) => {
    const [status, answer] = await admin(h, "POST", "/v1/jobs", {
      job: "",
      options: { priority: "urgent", delay: -5, nope: 1 },
    });
    assert.equal(status, 400);
    assertErrorShape(answer, 400, "VALIDATION_FAILED");
    const paths = answer.error.issues.map((i: Json) => i.path.join("."));
    for (const p of ["job", "options.priority", "options.delay", "options"]) {
      assert.ok(paths.includes(p), p);
    }
  });
});

Deno.test("gateway: a payload its function refuses is a 422 with payload paths", async () => {
  await withHarness(async (h) => {
    const [status, answer] = await admin(h, "POST", "/v1/jobs/bulk", {
      jobs: [{ job: "add", payload: { a: 1, b: 1 } }, { job: "add", payload: { a: "x", b: 1 } }],
    });
    assert.equal(status, 422);
    assertErrorShape(answer, 422, "BULK_ITEM_INVALID");
    assert.deepEqual(answer.error.issues[0].path, ["jobs", 1, "payload", "a"]);
    assert.equal((await h.engine.counts("math")).states.waiting, 1, "nothing of the bulk stored");
    const [unknown, body] = await admin(h, "POST", "/v1/jobs", { job: "nope", payload: {} });
    assert.equal(unknown, 422);
    assertErrorShape(body, 422, "UNKNOWN_FUNCTION");
  });
});

Deno.test("gateway: state conflicts are 409, unknown jobs 404, big bodies 413", async () => {
  await withHarness(async (h) => {
    const [retry, a] = await admin(h, "POST", `/v1/jobs/${h.waiting}/retry`);
    assert.equal(retry, 409);
    assertErrorShape(a, 409, "INVALID_STATE");
    await admin(h, "POST", `/v1/jobs/${h.waiting}/cancel`);
    const [again] = await admin(h, "POST", `/v1/jobs/${h.waiting}/priority`, { priority: "high" });
    assert.equal(again, 409);
    const [missing, b] = await admin(h, "POST", "/v1/jobs/none/cancel");
    assert.equal(missing, 404);
    assertErrorShape(b, 404, "JOB_NOT_FOUND");
    const [big, c] = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { pad: "x".repeat(5000) },
    });
    assert.equal(big, 413);
    assertErrorShape(c, 413, "BODY_TOO_LARGE");
  }, 4096);
});

Deno.test("gateway: bad input never yields a 500, and every error has the one shape", async () => {
  await withHarness(async (h) => {
    const bodies = ["{bad json", "[]", "null", '"text"', "42", '{"job":{"a":1}}', '{"jobs":"x"}'];
    const paths = (
      path: string,
    ) => [path, `${path}?limit=-1`, `${path}?cursor=%%%`, `${path}?state=nope&queue=a%20b`];
    for (const c of ENDPOINTS) {
      const path = c.path(h).replace(h.waiting, "..").replace(h.dead[0], "%00").replace(
        h.dead[1],
        "x".repeat(300),
      );
      for (const p of paths(path)) {
        for (const body of c.method === "GET" ? [undefined] : bodies) {
          const res = await h.gateway.app.request(p, {
            method: c.method,
            headers: {
              authorization: `Bearer ${TOKENS.admin}`,
              "content-type": "application/json",
            },
            ...(body !== undefined ? { body } : {}),
          });
          assert.ok(res.status < 500, `${c.method} ${p} ${body}: ${res.status}`);
          if ((res.headers.get("content-type") ?? "").includes("event-stream")) {
            await res.body?.cancel();
          } else if (res.status >= 400) {
            assertErrorShape(await res.json(), res.status);
          } else {
            await res.body?.cancel();
          }
        }
      }
    }
    const missingType = await h.gateway.app.request("/v1/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.admin}` },
      body: "{}",
    });
    assert.equal(missingType.status, 415);
    assertErrorShape(await missingType.json(), 415, "UNSUPPORTED_MEDIA_TYPE");
  });
});

Deno.test("gateway: jobs list filters by queue, state, lane and function, page by page", async () => {
  await withHarness(async (h) => {
    await admin(h, "POST", "/v1/jobs/bulk", {
      jobs: [
        ...Array.from(
          { length: 5 },
          (_, i) => ({ job: "add", payload: { a: i, b: 0 }, options: { priority: "low" } }),
        ),
        ...Array.from({ length: 3 }, (_, i) => ({ job: "greet", payload: { to: `u${i}` } })),
      ],
    });
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const [status, page]: [number, Json] = await admin(
        h,
        "GET",
        `/v1/jobs?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      assert.equal(status, 200);
      assert.ok(page.jobs.length <= 3);
      seen.push(...page.jobs.map((j: Json) => j.id));
      cursor = page.nextCursor;
    }
    assert.equal(seen.length, 11, "9 math jobs + 2 dead doom jobs");
    assert.equal(new Set(seen).size, 11);
    const [, low] = await admin(h, "GET", "/v1/jobs?queue=math&state=waiting&lane=low");
    assert.equal(low.jobs.length, 5);
    const [, greet] = await admin(h, "GET", "/v1/jobs?function=greet");
    assert.deepEqual(greet.jobs.map((j: Json) => j.name), ["greet", "greet", "greet"]);
    const [, dead] = await admin(h, "GET", "/v1/jobs?state=dead");
    assert.deepEqual(dead.jobs.map((j: Json) => j.id).sort(), [...h.dead].sort());
    const [, deadPage] = await admin(h, "GET", "/v1/dead-letters?queue=doom&limit=1");
    assert.equal(deadPage.jobs.length, 1);
    const [, rest] = await admin(
      h,
      "GET",
      `/v1/dead-letters?queue=doom&limit=1&cursor=${deadPage.nextCursor}`,
    );
    assert.equal(rest.jobs.length, 1);
    assert.notEqual(rest.jobs[0].id, deadPage.jobs[0].id);
  });
});

Deno.test("gateway: /v1/stream sends job events as server-sent events", async () => {
  await withHarness(async (h) => {
    const res = await h.request("GET", "/v1/stream?types=enqueued,completed&queue=math", {
      token: TOKENS.read,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const deadline = setTimeout(() => reader.cancel(), 10_000);
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += value;
      }
    };
    await readUntil(/event: ready/);
    const id = await h.engine.enqueue("add", { a: 1, b: 1 });
    await h.engine.enqueue("boom", { n: 9 }); // another queue: filtered out
    const worker = h.engine.work({ queues: ["math"], concurrency: 2 });
    try {
      await readUntil(new RegExp(`event: completed\\ndata: \\{"id":"${id}"`));
      assert.match(text, new RegExp(`event: enqueued\\ndata: \\{"id":"${id}"`));
      assert.doesNotMatch(text, /"queue":"doom"/);
    } finally {
      clearTimeout(deadline);
      await reader.cancel();
      await worker.stop();
    }
    const [bad, answer] = await admin(h, "GET", "/v1/stream?types=completed,nope");
    assert.equal(bad, 400);
    assert.deepEqual(answer.error.issues[0].path, ["types"]);
  });
});

Deno.test("gateway: close() ends open event streams", async () => {
  await withHarness(async (h) => {
    const res = await h.request("GET", "/v1/stream", { token: TOKENS.read });
    const reader = res.body!.getReader();
    await reader.read();
    h.gateway.close();
    for (;;) if ((await reader.read()).done) break;
  });
});
