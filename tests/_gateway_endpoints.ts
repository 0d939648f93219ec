/**
 * Every gateway endpoint as a test case: how to call it on a fresh harness, the scope it needs,
 * the status an allowed call answers, and what its answer must show. Run by the endpoint suite
 * on every store and by the auth matrix.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Harness } from "./_gateway_harness.ts";
import { SCHEDULE_ENDPOINTS } from "./_gateway_schedule_endpoints.ts";

/** Which token an endpoint needs. */
export type Access = "public" | "read" | "admin";

/** One endpoint. */
export interface EndpointCase {
  /** HTTP method. */
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The OpenAPI path (`{id}` style), or the literal path of a non-API route. */
  route: string;
  /** The concrete path for `h`. */
  path: (h: Harness) => string;
  /** JSON body. */
  body?: (h: Harness) => unknown;
  /** The token it needs. */
  access: Access;
  /** Status of an allowed call. */
  status: number;
  /** Checks the answer (JSON, or text for non-JSON answers) and the state after it. */
  check?: (answer: unknown, h: Harness) => void | Promise<void>;
}

// deno-lint-ignore no-explicit-any
type Json = any;

const job = (path: (h: Harness) => string) => path;

/** Every endpoint. */
export const ENDPOINTS: EndpointCase[] = [
  {
    method: "POST",
    route: "/v1/jobs",
    path: () => "/v1/jobs",
    access: "admin",
    status: 201,
    body: () => ({ job: "add", payload: { a: 2, b: 3 }, options: { priority: "high", id: "x-1" } }),
    check: async (a: Json, h) => {
      assert.equal(a.id, "x-1");
      const j = await h.engine.getJob("x-1");
      assert.equal(j?.priority, "high");
      assert.deepEqual(j?.payload, { a: 2, b: 3 });
    },
  },
  {
    method: "POST",
    route: "/v1/jobs/bulk",
    path: () => "/v1/jobs/bulk",
    access: "admin",
    status: 201,
    body: () => ({
      jobs: [{ job: "add", payload: { a: 1, b: 1 } }, { job: "greet", payload: { to: "x" } }],
    }),
    check: async (a: Json, h) => {
      assert.equal(a.ids.length, 2);
      assert.equal((await h.engine.getJob(a.ids[1]))?.name, "greet");
    },
  },
  {
    method: "GET",
    route: "/v1/jobs",
    path: () => "/v1/jobs?queue=math&state=waiting",
    access: "read",
    status: 200,
    check: (a: Json, h) => assert.deepEqual(a.jobs.map((j: Json) => j.id), [h.waiting]),
  },
  {
    method: "GET",
    route: "/v1/jobs/{id}",
    path: job((h) => `/v1/jobs/${h.waiting}`),
    access: "read",
    status: 200,
    check: async (a: Json, h) => {
      const expected = JSON.parse(JSON.stringify(await h.engine.getJob(h.waiting)));
      const none = { prerequisites: [], dependents: [], dependentCount: 0, nextCursor: null };
      assert.deepEqual(a, { ...expected, dependencies: none });
    },
  },
  {
    method: "GET",
    route: "/v1/jobs/{id}/dependencies",
    path: (h) => `/v1/jobs/${h.waiting}/dependencies?limit=10`,
    access: "read",
    status: 200,
    check: (a: Json) =>
      assert.deepEqual(a, {
        prerequisites: [],
        dependents: [],
        dependentCount: 0,
        nextCursor: null,
      }),
  },
  {
    method: "GET",
    route: "/v1/jobs/{id}/graph",
    path: (h) => `/v1/jobs/${h.waiting}/graph`,
    access: "read",
    status: 200,
    check: (a: Json, h) => {
      assert.deepEqual(a.nodes.map((n: Json) => [n.id, n.name, n.state]), [
        [h.waiting, "add", "waiting"],
      ]);
      assert.deepEqual([a.root, a.edges, a.nextCursor], [h.waiting, [], null]);
    },
  },
  {
    method: "GET",
    route: "/v1/jobs/{id}/logs",
    path: (h) => `/v1/jobs/${h.waiting}/logs`,
    access: "read",
    status: 200,
    check: (a: Json) => assert.deepEqual(a, { logs: [] }),
  },
  {
    method: "GET",
    route: "/v1/jobs/{id}/attempts",
    path: (h) => `/v1/jobs/${h.dead[0]}/attempts`,
    access: "read",
    status: 200,
    check: (a: Json) => {
      assert.equal(a.attempts.length, 1);
      assert.equal(a.attempts[0].outcome, "failed");
      assert.equal(a.attempts[0].error.message, "always fails");
    },
  },
  {
    method: "POST",
    route: "/v1/jobs/{id}/priority",
    path: (h) => `/v1/jobs/${h.waiting}/priority`,
    access: "admin",
    status: 200,
    body: () => ({ priority: "critical" }),
    check: async (_a, h) => assert.equal((await h.engine.getJob(h.waiting))?.priority, "critical"),
  },
  {
    method: "POST",
    route: "/v1/jobs/{id}/cancel",
    path: (h) => `/v1/jobs/${h.waiting}/cancel`,
    access: "admin",
    status: 200,
    check: async (a: Json, h) => {
      assert.equal(a.state, "cancelled");
      assert.equal((await h.engine.getJob(h.waiting))?.state, "cancelled");
    },
  },
  {
    method: "POST",
    route: "/v1/jobs/{id}/retry",
    path: (h) => `/v1/jobs/${h.dead[0]}/retry`,
    access: "admin",
    status: 200,
    check: async (a: Json, h) => {
      assert.equal(a.state, "waiting");
      assert.equal((await h.engine.getJob(h.dead[0]))?.attempts, 0);
    },
  },
  {
    method: "GET",
    route: "/v1/queues",
    path: () => "/v1/queues",
    access: "read",
    status: 200,
    check: (a: Json) => {
      assert.deepEqual(a.queues.map((q: Json) => q.queue), ["doom", "math"]);
      assert.equal(a.queues[0].states.dead, 2);
      assert.equal(a.queues[1].lanes.normal.waiting, 1);
    },
  },
  {
    method: "GET",
    route: "/v1/queues/{queue}",
    path: () => "/v1/queues/doom",
    access: "read",
    status: 200,
    check: (a: Json) => {
      assert.equal(a.lanes.normal.dead, 2);
      assert.equal(a.throttled, 0);
      assert.deepEqual([a.config.strict, a.config.rateLimit], [false, null]);
      assert.equal(a.config.weights.critical > a.config.weights.batch, true);
      assert.deepEqual(a.limits, {});
    },
  },
  {
    method: "PATCH",
    route: "/v1/queues/{queue}/config",
    path: () => "/v1/queues/math/config",
    body: () => ({ rateLimit: { max: 100, duration: 1_000 }, weights: { high: 7 } }),
    access: "admin",
    status: 200,
    check: async (a: Json, h) => {
      assert.deepEqual(a.rateLimit, { max: 100, duration: 1_000 });
      assert.equal(a.weights.high, 7);
      const config = await h.engine.queueConfig("math");
      assert.deepEqual([config.rateLimit, config.weights.high], [{ max: 100, duration: 1_000 }, 7]);
    },
  },
  {
    method: "POST",
    route: "/v1/queues/{queue}/pause",
    path: () => "/v1/queues/math/pause",
    access: "admin",
    status: 200,
    check: async (_a, h) => assert.equal((await h.engine.counts("math")).paused, true),
  },
  {
    method: "POST",
    route: "/v1/queues/{queue}/resume",
    path: () => "/v1/queues/math/resume",
    access: "admin",
    status: 200,
    check: async (a: Json, h) => {
      assert.equal(a.paused, false);
      assert.equal((await h.engine.counts("math")).paused, false);
    },
  },
  {
    method: "GET",
    route: "/v1/dead-letters",
    path: () => "/v1/dead-letters",
    access: "read",
    status: 200,
    check: (a: Json, h) =>
      assert.deepEqual(a.jobs.map((j: Json) => j.id).sort(), [...h.dead].sort()),
  },
  {
    method: "POST",
    route: "/v1/dead-letters/requeue",
    path: () => "/v1/dead-letters/requeue",
    access: "admin",
    status: 200,
    body: () => ({ queue: "doom", function: "boom" }),
    check: async (a: Json, h) => {
      assert.equal(a.count, 2);
      assert.equal((await h.engine.counts("doom")).states.waiting, 2);
    },
  },
  {
    method: "POST",
    route: "/v1/dead-letters/purge",
    path: () => "/v1/dead-letters/purge",
    access: "admin",
    status: 200,
    body: () => ({ queue: "doom" }),
    check: async (a: Json, h) => {
      assert.equal(a.count, 2);
      assert.equal(await h.engine.getJob(h.dead[0]), null);
    },
  },
  {
    method: "POST",
    route: "/v1/dead-letters/{id}/requeue",
    path: (h) => `/v1/dead-letters/${h.dead[1]}/requeue`,
    access: "admin",
    status: 200,
    check: async (_a, h) => assert.equal((await h.engine.getJob(h.dead[1]))?.state, "waiting"),
  },
  {
    method: "DELETE",
    route: "/v1/dead-letters/{id}",
    path: (h) => `/v1/dead-letters/${h.dead[1]}`,
    access: "admin",
    status: 200,
    check: async (_a, h) => assert.equal(await h.engine.getJob(h.dead[1]), null),
  },
  {
    method: "GET",
    route: "/v1/nodes",
    path: () => "/v1/nodes",
    access: "read",
    status: 200,
    check: (a: Json) => assert.deepEqual(a, { leader: null, nodes: [] }),
  },
  {
    method: "POST",
    route: "/v1/events/{name}",
    path: () => "/v1/events/user.created",
    access: "admin",
    status: 202,
    body: () => ({ payload: { to: "ada" } }),
    check: async (a: Json, h) => {
      assert.equal(a.ids.length, 1);
      assert.equal((await h.engine.getJob(a.ids[0]))?.name, "greet");
    },
  },
  {
    method: "GET",
    route: "/v1/metrics",
    path: () => "/v1/metrics?minutes=5",
    access: "read",
    status: 200,
    check: (a: Json) => {
      assert.equal(a.bucketEdgesMs.length + 1, a.total[0].run.buckets.length);
      // the harness failed two boom jobs through the store: counted, in the newest minute
      const boom = a.total.find((g: Json) => g.name === "boom");
      assert.deepEqual([boom.queue, boom.lane, boom.dead], ["doom", "normal", 2]);
      assert.equal(a.minutes.at(-1).groups.find((g: Json) => g.name === "boom").dead, 2);
    },
  },
  { method: "GET", route: "/v1/stream", path: () => "/v1/stream", access: "read", status: 200 },
  {
    method: "GET",
    route: "/metrics",
    path: () => "/metrics",
    access: "read",
    status: 200,
    check: (text) =>
      assert.match(String(text), /sluice_queue_depth\{queue="doom",lane="normal",state="dead"\} 2/),
  },
  {
    method: "GET",
    route: "/healthz",
    path: () => "/healthz",
    access: "public",
    status: 200,
    check: (a: Json) => assert.equal(a.status, "ok"),
  },
  {
    method: "GET",
    route: "/readyz",
    path: () => "/readyz",
    access: "public",
    status: 200,
    check: (a: Json) => assert.equal(a.status, "ready"),
  },
  {
    method: "GET",
    route: "/openapi.json",
    path: () => "/openapi.json",
    access: "public",
    status: 200,
    check: (a: Json) => assert.equal(a.openapi, "3.1.0"),
  },
  {
    method: "GET",
    route: "/",
    path: () => "/",
    access: "public",
    status: 200,
    check: (text) => assert.match(String(text), /<title>Sluice<\/title>/),
  },
  {
    method: "GET",
    route: "/assets/{file}",
    path: () => "/assets/dashboard.js",
    access: "public",
    status: 200,
    check: (text) => assert.match(String(text), /follow\(/),
  },
  ...SCHEDULE_ENDPOINTS,
];

/** Calls `c` on `h` with `token`; returns the response and its answer (stream bodies unread). */
export async function call(
  c: EndpointCase,
  h: Harness,
  token?: string,
): Promise<{ res: Response; answer: unknown }> {
  const res = await h.request(c.method, c.path(h), {
    ...(token !== undefined ? { token } : {}),
    ...(c.body ? { body: c.body(h) } : {}),
  });
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("event-stream")) {
    await res.body?.cancel();
    return { res, answer: null };
  }
  const text = await res.text();
  return { res, answer: type.includes("json") ? JSON.parse(text) : text };
}
