/**
 * The endpoints of cron schedules and of rescheduling, as cases of the endpoint suite (see
 * `_gateway_endpoints.ts`): how to call each on a fresh harness (which holds the schedule
 * `nightly-add`), the scope it needs, its status and what its answer must show.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { EndpointCase } from "./_gateway_endpoints.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** The schedule and reschedule endpoints. */
export const SCHEDULE_ENDPOINTS: EndpointCase[] = [
  {
    method: "GET",
    route: "/v1/schedules",
    path: () => "/v1/schedules",
    access: "read",
    status: 200,
    check: (a: Json) => {
      assert.deepEqual(a.schedules.map((s: Json) => s.name), ["nightly-add"]);
      assert.equal(a.schedules[0].next.length, 5);
      assert.equal(a.schedules[0].tz, "America/New_York");
    },
  },
  {
    method: "GET",
    route: "/v1/schedules/{name}",
    path: (h) => `/v1/schedules/${h.schedule}`,
    access: "read",
    status: 200,
    check: async (a: Json, h) => {
      assert.deepEqual(a, JSON.parse(JSON.stringify(await h.engine.schedules.get(h.schedule))));
    },
  },
  {
    method: "PUT",
    route: "/v1/schedules/{name}",
    path: () => "/v1/schedules/hourly",
    access: "admin",
    status: 200,
    body: () => ({
      job: "add",
      pattern: "0 * * * *",
      payload: { a: 1, b: 2 },
      options: { priority: "high" },
      catchUp: "all",
    }),
    check: async (a: Json, h) => {
      assert.deepEqual([a.name, a.priority, a.catchUp, a.tz], ["hourly", "high", "all", "UTC"]);
      assert.deepEqual((await h.engine.schedules.get("hourly"))?.payload, { a: 1, b: 2 });
    },
  },
  {
    method: "DELETE",
    route: "/v1/schedules/{name}",
    path: (h) => `/v1/schedules/${h.schedule}`,
    access: "admin",
    status: 200,
    check: async (_a, h) => assert.equal(await h.engine.schedules.get(h.schedule), null),
  },
  {
    method: "POST",
    route: "/v1/schedules/{name}/pause",
    path: (h) => `/v1/schedules/${h.schedule}/pause`,
    access: "admin",
    status: 200,
    check: async (a: Json, h) => {
      assert.deepEqual([a.paused, a.next], [true, []]);
      assert.equal((await h.engine.schedules.get(h.schedule))?.paused, true);
    },
  },
  {
    method: "POST",
    route: "/v1/schedules/{name}/resume",
    path: (h) => `/v1/schedules/${h.schedule}/resume`,
    access: "admin",
    status: 200,
    check: (a: Json) => assert.deepEqual([a.paused, a.next.length], [false, 5]),
  },
  {
    method: "POST",
    route: "/v1/schedules/{name}/trigger",
    path: (h) => `/v1/schedules/${h.schedule}/trigger`,
    access: "admin",
    status: 201,
    check: async (a: Json, h) => {
      assert.match(a.id, /^cron:nightly-add:trigger:/);
      assert.deepEqual((await h.engine.getJob(a.id))?.payload, { a: 1, b: 1 });
    },
  },
  {
    method: "POST",
    route: "/v1/jobs/{id}/reschedule",
    path: (h) => `/v1/jobs/${h.waiting}/reschedule`,
    access: "admin",
    status: 200,
    body: () => ({ delay: 60_000 }),
    check: async (a: Json, h) => {
      assert.equal(a.state, "delayed");
      assert.equal((await h.engine.getJob(h.waiting))?.state, "delayed");
    },
  },
];
