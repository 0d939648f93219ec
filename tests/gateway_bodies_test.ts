/**
 * What the API fuzz (issue 15, item 3) found, each as a regression: a request body that breaks
 * off was a 500 (now 400 `BODY_UNREADABLE`); JSON nested 100,000 deep was stored and then broke
 * the memory store's job lists (now 400 `BODY_TOO_DEEP` past 64 levels); bytes that are not
 * UTF-8 were read as U+FFFD and a lone surrogate escape (`"\ud800"`) made two ids one key in
 * Redis (now 400 `INVALID_UNICODE`); ids and queues `.` and `..` were stored though no URL can
 * name them (now 400); an id led by U+FEFF was listed by Redis without it (now as itself).
 */
import assert from "node:assert/strict";
import { createEngine } from "../mod.ts";
import { MemoryStore, type Store } from "../store.ts";
import { MAX_JSON_DEPTH, scanJson } from "../src/gateway/json_scan.ts";
import { silentLogger } from "../src/job/logger.ts";
import { type Harness, harness, TOKENS } from "./_gateway_harness.ts";
import { nestedText } from "./_api_fuzz/hostile.ts";
import { Echo } from "./_api_fuzz/target.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness(new MemoryStore());
  h.engine.register(Echo);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const HEADERS = { authorization: `Bearer ${TOKENS.admin}`, "content-type": "application/json" };

const post = (h: Harness, path: string, body: BodyInit): Promise<Response> =>
  Promise.resolve(h.gateway.app.request(path, { method: "POST", headers: HEADERS, body }));

async function refused(h: Harness, res: Response, status: number, code: string): Promise<Json> {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.deepEqual(await h.engine.queues(), ["doom", "math"], "a refused request stored nothing");
  return body.error;
}

function streamOf(parts: Uint8Array[], end: "close" | "error"): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      if (end === "close") controller.close();
      else controller.error(new Error("connection reset"));
    },
  });
}

const enc = new TextEncoder();

Deno.test("a body that breaks off is a 400 BODY_UNREADABLE, not a 500", async () => {
  await withHarness(async (h) => {
    const body = streamOf([enc.encode('{"job":"echo","payload":')], "error");
    const error = await refused(h, await post(h, "/v1/jobs", body), 400, "BODY_UNREADABLE");
    assert.match(error.message, /could not be read: connection reset/);
  });
});

Deno.test("a streamed body over the limit is a 413 however it is sent", async () => {
  await withHarness(async (h) => {
    const chunk = enc.encode("x".repeat(256 * 1024));
    const body = streamOf([chunk, chunk, chunk, chunk, chunk], "close");
    await refused(h, await post(h, "/v1/jobs", body), 413, "BODY_TOO_LARGE");
  });
});

Deno.test(`JSON nested past ${MAX_JSON_DEPTH} levels is a 400 BODY_TOO_DEEP`, async () => {
  await withHarness(async (h) => {
    for (const depth of [MAX_JSON_DEPTH, 100_000]) {
      const text = `{"job":"echo","payload":${nestedText(depth, "array")}}`;
      const error = await refused(h, await post(h, "/v1/jobs", text), 400, "BODY_TOO_DEEP");
      assert.match(error.message, /deeper than 64 levels/);
    }
    // one level less fits (the body object is a level of its own)
    const fits = `{"job":"echo","payload":${nestedText(MAX_JSON_DEPTH - 1, "object")}}`;
    const res = await post(h, "/v1/jobs", fits);
    assert.equal(res.status, 201, await res.text());
    const list = await h.gateway.app.request("/v1/jobs?queue=echo", {
      headers: { authorization: `Bearer ${TOKENS.read}` },
    });
    assert.equal(list.status, 200);
  });
});

Deno.test("bytes that are not UTF-8 and lone surrogate escapes are 400 INVALID_UNICODE", async () => {
  await withHarness(async (h) => {
    const bytes = new Uint8Array([...enc.encode('{"job":"echo","payload":"'), 0xff, 0x22, 0x7d]);
    await refused(h, await post(h, "/v1/jobs", bytes), 400, "INVALID_UNICODE");
    for (const id of ["\\ud800", "\\udfff", "a\\ud83e", "\\udd95\\ud83e"]) {
      const text = `{"job":"echo","payload":1,"options":{"id":"${id}"}}`;
      await refused(h, await post(h, "/v1/jobs", text), 400, "INVALID_UNICODE");
    }
    // a pair written as escapes is one character
    const res = await post(
      h,
      "/v1/jobs",
      '{"job":"echo","payload":1,"options":{"id":"\\ud83e\\udd95"}}',
    );
    assert.deepEqual(await res.json(), { id: "🦕" });
  });
});

Deno.test("ids and queues '.' and '..' are refused: no URL can name them", async () => {
  await withHarness(async (h) => {
    for (const options of [{ id: "." }, { id: ".." }, { queue: "." }, { queue: ".." }]) {
      const text = JSON.stringify({ job: "echo", payload: 1, options });
      const error = await refused(h, await post(h, "/v1/jobs", text), 400, "VALIDATION_FAILED");
      assert.match(error.issues[0].message, /cannot be named in a URL path/);
    }
    const res = await post(
      h,
      "/v1/jobs",
      JSON.stringify({ job: "echo", payload: 1, options: { id: "..." } }),
    );
    assert.deepEqual(await res.json(), { id: "..." });
  });
});

Deno.test("scanJson counts nesting outside strings and pairs surrogate escapes", () => {
  assert.deepEqual(scanJson('{"a":[1,{"b":"[[[{{{"}]}'), { depth: 3, loneSurrogate: false });
  assert.deepEqual(scanJson('["\\"[", "\\\\ud800"]'), { depth: 1, loneSurrogate: false });
  assert.equal(scanJson('["\\uD83E\\uDD95"]').loneSurrogate, false);
  assert.equal(scanJson('["\\uD83E\\u0041"]').loneSurrogate, true);
  assert.equal(scanJson(nestedText(1_000_000, "array")).depth, MAX_JSON_DEPTH + 1);
});

async function bomIdsListAsThemselves(store: Store): Promise<void> {
  const engine = createEngine({ store, logger: silentLogger, functions: [Echo] });
  try {
    const ids = ["\ufeff", "\ufeffabc", "abc"];
    for (const id of ids) await engine.enqueue(Echo, 1, { id });
    const page = await store.listJobs({ queue: "echo", state: "waiting", limit: 10 });
    assert.deepEqual(page.jobs.map((j) => j.id).sort(), [...ids].sort());
  } finally {
    await engine.close();
    await store.close();
  }
}

Deno.test("an id led by U+FEFF is listed as itself (memory)", async () => {
  await bomIdsListAsThemselves(new MemoryStore());
});

await withRedis("ids led by U+FEFF on RedisStore", (url) => {
  Deno.test("an id led by U+FEFF is listed as itself (Redis)", async () => {
    await bomIdsListAsThemselves(await namespacedStore(url, "test-bom"));
  });
});
