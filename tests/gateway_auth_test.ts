/**
 * The auth matrix: every endpoint with no token, a bad token, the read token and the admin
 * token; and an open gateway (no token configured).
 */
import assert from "node:assert/strict";
import { MemoryStore } from "../store.ts";
import { safeEqual } from "../src/gateway/auth.ts";
import { call, ENDPOINTS } from "./_gateway_endpoints.ts";
import { harness, TOKENS } from "./_gateway_harness.ts";

function assertDenied(res: Response, answer: unknown, status: 401 | 403): void {
  assert.equal(res.status, status, JSON.stringify(answer));
  const error = (answer as { error: { code: string; status: number } }).error;
  assert.equal(error.code, status === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
  assert.equal(error.status, status);
  if (status === 401) {
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="sluice"/);
  }
}

for (const c of ENDPOINTS) {
  Deno.test(`auth matrix: ${c.method} ${c.route} (${c.access})`, async () => {
    const h = await harness(new MemoryStore());
    try {
      for (const token of [undefined, "wrong-token"]) {
        const { res, answer } = await call(c, h, token);
        if (c.access === "public") assert.equal(res.status, c.status);
        else assertDenied(res, answer, 401);
      }
      const read = await call(c, h, TOKENS.read);
      if (c.access === "admin") assertDenied(read.res, read.answer, 403);
      else assert.equal(read.res.status, c.status, JSON.stringify(read.answer));
      const admin = await call(c, h, TOKENS.admin);
      assert.equal(admin.res.status, c.status, JSON.stringify(admin.answer));
    } finally {
      await h.close();
    }
  });
}

Deno.test("auth matrix: covers every operation of /openapi.json", async () => {
  const h = await harness(new MemoryStore());
  try {
    const doc = await (await h.request("GET", "/openapi.json")).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const tested = new Set(ENDPOINTS.map((c) => `${c.method} ${c.route}`));
    assert.deepEqual(documented.filter((op) => !tested.has(op)), []);
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Op>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const access = ENDPOINTS.find((c) =>
          c.route === path && c.method === method.toUpperCase()
        )!.access;
        const scopes = op.security?.flatMap((s) => s.bearer ?? []) ?? [];
        assert.deepEqual(scopes, access === "public" ? [] : [access], `${method} ${path}`);
      }
    }
  } finally {
    await h.close();
  }
});

interface Op {
  security?: { bearer?: string[] }[];
}

Deno.test("auth: with no token configured every endpoint is open", async () => {
  const h = await harness(new MemoryStore(), { tokens: {}, open: true });
  try {
    assert.equal(h.gateway.authEnabled, false);
    for (const c of ENDPOINTS.filter((e) => e.access === "admin").slice(0, 3)) {
      const { res } = await call(c, h);
      assert.equal(res.status, c.status, c.route);
    }
  } finally {
    await h.close();
  }
});

Deno.test("auth: a read token alone leaves state changes to nobody", async () => {
  const h = await harness(new MemoryStore(), { tokens: { read: TOKENS.read } });
  try {
    assert.equal((await h.request("GET", "/v1/queues", { token: TOKENS.read })).status, 200);
    const res = await h.request("POST", "/v1/queues/math/pause", { token: TOKENS.read });
    assert.equal(res.status, 403);
    await res.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("auth: tokens compare by value, not by prefix or length", async () => {
  assert.equal(await safeEqual("secret", "secret"), true);
  assert.equal(await safeEqual("secre", "secret"), false);
  assert.equal(await safeEqual("secret-and-more", "secret"), false);
  assert.equal(await safeEqual("", "secret"), false);
});
