/**
 * A gateway safe by default (issue 9, items 6-8 and 11) and HTTP polish (issue 13, item 7):
 * tokens or an explicit `open: true`; an open gateway answers loopback names only and refuses
 * cross-origin state changes; JSON bodies only (415 says so); 413 names the limit; 405 with
 * `Allow`; no framing; bounded event streams that resume with `Last-Event-ID`; a public address
 * refused without a token, and the URL printed is the one bound; stack traces only for admin
 * callers unless the operator exposes them.
 */
import assert from "node:assert/strict";
import { createEngine } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { createGateway, serveGateway } from "../gateway.ts";
import { silentLogger } from "../src/job/logger.ts";
import { Add, type Harness, harness, TOKENS } from "./_gateway_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function withHarness(
  options: Parameters<typeof harness>[1],
  fn: (h: Harness) => Promise<void>,
): Promise<void> {
  const h = await harness(new MemoryStore(), options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const send = (h: Harness, path: string, init: RequestInit): Promise<Response> =>
  Promise.resolve(h.gateway.app.request(path, init));

async function errorOf(res: Response, status: number, code: string): Promise<Json> {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.equal(body.error.status, status);
  return body.error;
}

Deno.test("createGateway: tokens, or open: true, never silently open", () => {
  const engine = createEngine({ store: new MemoryStore(), logger: silentLogger });
  assert.throws(() => createGateway(engine), /no token given; pass tokens .* or open: true/);
  assert.throws(() => createGateway(engine, { tokens: { admin: "" } }), /no token given/);
  assert.throws(
    () => createGateway(engine, { tokens: TOKENS, open: true }),
    /tokens or open: true, not both/,
  );
  createGateway(engine, { tokens: { admin: "a" } }).close();
  createGateway(engine, { open: true }).close();
});

Deno.test("open gateway: cross-origin state changes are refused with 403", async () => {
  await withHarness({ tokens: {}, open: true }, async (h) => {
    const pause = (headers: Record<string, string>) =>
      send(h, "/v1/queues/math/pause", { method: "POST", headers });
    const evil = await pause({ origin: "https://evil.example", "content-type": "text/plain" });
    assert.match((await errorOf(evil, 403, "CROSS_ORIGIN_REFUSED")).message, /evil\.example/);
    await errorOf(await pause({ "sec-fetch-site": "cross-site" }), 403, "CROSS_ORIGIN_REFUSED");
    await errorOf(await pause({ origin: "null" }), 403, "CROSS_ORIGIN_REFUSED");
    await errorOf(
      await pause({ origin: "http://localhost:3000", host: "localhost:8000" }),
      403,
      "CROSS_ORIGIN_REFUSED",
    );
    assert.equal((await h.engine.counts("math")).paused, false, "nothing was paused");
    const own = await pause({ origin: "http://127.0.0.1:8000", host: "127.0.0.1:8000" });
    assert.equal(own.status, 200, await own.text());
    const cli = await pause({ host: "localhost:8000" }); // curl, the CLI: no Origin at all
    assert.equal(cli.status, 200, await cli.text());
  });
});

Deno.test("open gateway: only loopback Host names are answered (no DNS rebinding)", async () => {
  await withHarness({ tokens: {}, open: true }, async (h) => {
    for (
      const host of ["attacker.example", "attacker.example:8000", "10.0.0.1", "127.0.0.1.nip.io"]
    ) {
      const res = await send(h, "/v1/queues", { headers: { host } });
      assert.match((await errorOf(res, 403, "HOST_NOT_ALLOWED")).message, /loopback|answers only/);
    }
    for (const host of ["127.0.0.1:8000", "localhost", "LOCALHOST:1", "[::1]:8000"]) {
      const res = await send(h, "/v1/queues", { headers: { host } });
      assert.equal(res.status, 200, host);
      await res.body?.cancel();
    }
  });
  await withHarness({}, async (h) => {
    const res = await send(h, "/v1/queues", {
      headers: { host: "sluice.example.com", authorization: `Bearer ${TOKENS.read}` },
    });
    assert.equal(res.status, 200, "with tokens, any name may reach the gateway");
    await res.body?.cancel();
  });
});

Deno.test("bodies: JSON only, 415 says so; 413 names the limit", async () => {
  await withHarness({ maxBodyBytes: 4096 }, async (h) => {
    const admin = { authorization: `Bearer ${TOKENS.admin}` };
    const job = JSON.stringify({ job: "add", payload: { a: 1, b: 2 } });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      const res = await send(h, "/v1/jobs", {
        method: "POST",
        headers: { ...admin, ...(type ? { "content-type": type } : {}) },
        body: new TextEncoder().encode(job),
      });
      const error = await errorOf(res, 415, "UNSUPPORTED_MEDIA_TYPE");
      assert.match(error.message, /must be JSON: send Content-Type: application\/json/);
    }
    const plain = await send(h, "/v1/queues/math/pause", {
      method: "POST",
      headers: { ...admin, "content-type": "text/plain" },
    });
    await errorOf(plain, 415, "UNSUPPORTED_MEDIA_TYPE");
    const ok = await send(h, "/v1/jobs", {
      method: "POST",
      headers: { ...admin, "content-type": "application/json; charset=utf-8" },
      body: job,
    });
    assert.equal(ok.status, 201);
    const big = await send(h, "/v1/jobs", {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ job: "add", payload: { pad: "x".repeat(5000) } }),
    });
    const error = await errorOf(big, 413, "BODY_TOO_LARGE");
    assert.match(error.message, /larger than the limit of 4 KiB \(4,096 bytes\)/);
  });
});

Deno.test("a known path with the wrong method is a 405 with Allow; unknown paths 404", async () => {
  await withHarness({}, async (h) => {
    const admin = { authorization: `Bearer ${TOKENS.admin}` };
    const del = await send(h, "/v1/queues", { method: "DELETE", headers: admin });
    assert.equal(del.headers.get("allow"), "GET, HEAD");
    assert.match((await errorOf(del, 405, "METHOD_NOT_ALLOWED")).message, /DELETE/);
    const get = await send(h, "/v1/queues/math/pause", { headers: admin });
    assert.equal(get.headers.get("allow"), "POST");
    await errorOf(get, 405, "METHOD_NOT_ALLOWED");
    const put = await send(h, `/v1/jobs/${h.waiting}`, { method: "PUT", headers: admin });
    assert.equal(put.headers.get("allow"), "GET, HEAD");
    await put.body?.cancel();
    await errorOf(await send(h, "/v1/nope", { headers: admin }), 404, "NOT_FOUND");
  });
});

Deno.test("responses forbid framing; the dashboard has a strict CSP", async () => {
  await withHarness({}, async (h) => {
    for (const path of ["/", "/healthz", "/assets/dashboard.js"]) {
      const res = await send(h, path, {});
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      await res.body?.cancel();
    }
  });
});

/** Reads SSE blocks from `res` until `count` blocks matched `pattern` or the stream ended. */
async function readEvents(res: Response, pattern: RegExp, count: number): Promise<string[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const blocks: string[] = [];
  let buffer = "";
  const deadline = setTimeout(() => reader.cancel(), 10_000);
  try {
    while (blocks.filter((b) => pattern.test(b)).length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        blocks.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => {});
  }
  return blocks;
}

const stream = (h: Harness, headers: Record<string, string> = {}) =>
  send(h, "/v1/stream?types=enqueued", {
    headers: { authorization: `Bearer ${TOKENS.read}`, ...headers },
  });

Deno.test("event stream: resumes after Last-Event-ID; an id it does not hold starts with reset", async () => {
  await withHarness({}, async (h) => {
    const first = await stream(h);
    const reading = readEvents(first, /^event: enqueued/, 3);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await h.engine.enqueue(Add, { a: i, b: 0 }));
    const seen = (await reading).filter((b) => b.startsWith("event: enqueued"));
    const lastId = /\nid: (\S+)/.exec(seen[1]!)![1]!;
    const later = [await h.engine.enqueue(Add, { a: 8, b: 0 })];
    const resumed = await readEvents(
      await stream(h, { "last-event-id": lastId }),
      /^event: enqueued/,
      2,
    );
    const resumedIds = resumed.filter((b) => b.startsWith("event: enqueued"))
      .map((b) => JSON.parse(/data: (.*)/.exec(b)![1]!).id);
    assert.deepEqual(resumedIds, [ids[2], later[0]]);
    assert.ok(!resumed.some((b) => b.startsWith("event: reset")));
    const gap = await readEvents(
      await stream(h, { "last-event-id": "00000000-1" }),
      /^event: ready/,
      1,
    );
    assert.match(gap[0]!, /^event: reset/);
  });
});

Deno.test("event stream: at most maxStreams at once; a slow client is dropped", async () => {
  await withHarness({ maxStreams: 2, streamBufferLimit: 5 }, async (h) => {
    const a = await stream(h);
    const b = await stream(h);
    const third = await stream(h);
    assert.equal(third.headers.get("retry-after"), "2");
    await errorOf(third, 503, "TOO_MANY_STREAMS");
    await a.body!.cancel();
    await b.body!.cancel();
    const slow = await stream(h); // never read while 50 events arrive
    assert.equal(slow.status, 200);
    await h.engine.enqueueBulk(
      Array.from({ length: 50 }, (_, i) => ({ job: Add, payload: { a: i, b: 0 } })),
    );
    const got = await readEvents(slow, /^event: enqueued/, 50);
    const events = got.filter((b) => b.startsWith("event: enqueued")).length;
    assert.ok(events < 50, `the slow client was dropped, not buffered (${events} events)`);
    const again = await stream(h);
    assert.equal(again.status, 200, "the dropped stream's slot is free again");
    await again.body!.cancel();
  });
});

Deno.test("serve: an open gateway refuses a public address; the URL printed is the bound one", async () => {
  const engine = createEngine({ store: new MemoryStore(), logger: silentLogger });
  const open = createGateway(engine, { open: true });
  try {
    for (const hostname of ["0.0.0.0", "192.168.1.10", "::"]) {
      assert.throws(
        () => serveGateway(open, { port: 0, hostname }),
        /refusing to serve on .* without a token: set SLUICE_ADMIN_TOKEN/,
      );
    }
    const printed = Promise.withResolvers<string>();
    const server = serveGateway(open, { port: 0, onListen: (url) => printed.resolve(url) });
    const url = await printed.promise;
    assert.equal(url, `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`);
    const res = await fetch(`${url}healthz`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
    await server.shutdown();
  } finally {
    open.close();
    await engine.close();
  }
});

Deno.test("gateway: stack traces for admin callers; read callers only with exposeStacks", async () => {
  for (const exposeStacks of [false, true]) {
    const h = await harness(new MemoryStore(), { exposeStacks });
    try {
      const [id] = await h.engine.enqueueBulk([{ job: "boom", payload: { n: 3 } }]);
      const [leased] = await h.store.reserve({
        worker: "t",
        queues: ["doom"],
        count: 1,
        leaseMs: 60_000,
      });
      const error = {
        name: "Error",
        message: "no",
        stack: "Error: no\n    at /srv/app/secret.ts:1",
      };
      await h.store.fail([
        { id: leased!.id, token: leased!.token, error: JSON.stringify(error), retryDelay: null },
      ]);
      const read = async (path: string, token: string) =>
        await (await h.request("GET", path, { token })).text();
      for (const path of [`/v1/jobs/${id}`, `/v1/jobs/${id}/attempts`, "/v1/dead-letters"]) {
        assert.match(await read(path, TOKENS.admin), /secret\.ts/, path);
        const shown = await read(path, TOKENS.read);
        if (exposeStacks) assert.match(shown, /secret\.ts/, path);
        else {
          assert.doesNotMatch(shown, /secret\.ts|"stack"/, path);
          assert.match(shown, /"message":"no"/, path);
        }
      }
    } finally {
      await h.close();
    }
  }
});
