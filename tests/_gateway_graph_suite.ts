/**
 * The dependency graph over HTTP: a bulk DAG by refs, each refusal in the one error shape (a
 * cycle 400, an unknown prerequisite 422, a held unique key 409 with the holder's id), a job's
 * prerequisites and dependents with their states, and the graph endpoint's cap and cursor.
 * Registered once per store.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Store } from "../mod.ts";
import { type Harness, harness, TOKENS } from "./_gateway_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function admin(h: Harness, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await h.request(method, path, {
    token: TOKENS.admin,
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, ...(await res.json()) };
}

const add = (ref: string, dependsOn: string[] = [], more: Record<string, unknown> = {}) => ({
  job: "add",
  payload: { a: 1, b: 1 },
  ref,
  options: { dependsOn, ...more },
});

const CASES: Record<string, (h: Harness) => Promise<void>> = {
  async "a bulk DAG by refs, in any order; GET shows prerequisites and dependents"(h) {
    const made = await admin(h, "POST", "/v1/jobs/bulk", {
      jobs: [
        add("album", ["r1", "r2"], { onPrerequisiteFailure: "skip", priority: "critical" }),
        add("r1", [], { unique: { key: "r1", scope: "queued", onConflict: "reject" } }),
        add("r2", [h.waiting]),
      ],
    });
    assert.equal(made.status, 201, JSON.stringify(made));
    const [album, r1, r2] = made.ids;
    const job = await admin(h, "GET", `/v1/jobs/${album}`);
    assert.deepEqual(
      [job.state, job.prerequisites, job.openPrerequisites, job.onPrerequisiteFailure],
      ["blocked", [r1, r2], 2, "skip"],
    );
    assert.deepEqual(job.dependencies.prerequisites.map((p: Json) => [p.id, p.state, p.priority]), [
      [r1, "waiting", "critical"],
      [r2, "blocked", "critical"],
    ]);
    assert.equal(job.dependencies.prerequisites[0].requestedPriority, "normal");
    assert.equal((await admin(h, "GET", `/v1/jobs/${r1}`)).uniqueKey, "add:r1");
    const base = await admin(h, "GET", `/v1/jobs/${h.waiting}`);
    assert.deepEqual(
      [base.dependents, base.dependencies.dependentCount, base.dependencies.dependents[0].id],
      [1, 1, r2],
    );
    const one = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 1, b: 2 },
      options: { dependsOn: [album] },
    });
    assert.equal(one.status, 201);
    assert.equal((await h.engine.getJob(one.id))?.state, "blocked");
  },

  async "a cycle is a 400 naming the item and the cycle; nothing is stored"(h) {
    const before = await h.engine.counts("math");
    const cycle = await admin(h, "POST", "/v1/jobs/bulk", {
      jobs: [add("a"), add("b", ["c"]), add("c", ["b"])],
    });
    assert.equal(cycle.status, 400);
    assert.equal(cycle.error.code, "INVALID_GRAPH");
    assert.match(cycle.error.message, /bulk item 1 .*cycle: b -> c -> b/);
    assert.deepEqual(cycle.error.issues[0].path, ["jobs", 1]);
    assert.deepEqual(cycle.error.details, { cycle: ["b", "c", "b"] });
    const self = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 1, b: 1 },
      options: { id: "me", dependsOn: ["me"] },
    });
    assert.deepEqual([self.status, self.error.code, self.error.details], [400, "INVALID_GRAPH", {
      cycle: ["me", "me"],
    }]);
    const lone = await admin(h, "POST", "/v1/jobs/bulk", { jobs: [add("solo", ["solo"])] });
    assert.deepEqual([lone.status, lone.error.issues[0].path], [400, ["jobs", 0]]);
    const twice = await admin(h, "POST", "/v1/jobs/bulk", { jobs: [add("a"), add("a")] });
    assert.deepEqual([twice.status, twice.error.issues[0].path], [400, ["jobs", 1]]);
    assert.match(twice.error.message, /ref "a" is used twice/);
    assert.deepEqual(await h.engine.counts("math"), before);
  },

  async "an unknown prerequisite is a 422 naming the item; nothing is stored"(h) {
    const before = await h.engine.counts("math");
    const bulk = await admin(h, "POST", "/v1/jobs/bulk", {
      jobs: [add("a"), add("b", ["a", "nope"])],
    });
    assert.equal(bulk.status, 422);
    assert.equal(bulk.error.code, "UNKNOWN_PREREQUISITE");
    assert.deepEqual(bulk.error.issues[0].path, ["jobs", 1]);
    assert.deepEqual(bulk.error.details, { prerequisite: "nope" });
    const one = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 1, b: 1 },
      options: { dependsOn: ["nope"] },
    });
    assert.deepEqual([one.status, one.error.code], [422, "UNKNOWN_PREREQUISITE"]);
    assert.deepEqual(await h.engine.counts("math"), before);
  },

  async "a held unique key is a 409 with the holder's id; return-existing answers it"(h) {
    const unique = (onConflict?: string) => ({
      job: "add",
      payload: { a: 1, b: 1 },
      options: { unique: { key: "k", ...(onConflict ? { onConflict } : {}) } },
    });
    const first = await admin(h, "POST", "/v1/jobs", unique());
    assert.equal(first.status, 201);
    const again = await admin(h, "POST", "/v1/jobs", unique());
    assert.deepEqual([again.status, again.error.code], [409, "DUPLICATE_JOB"]);
    assert.deepEqual(again.error.details, {
      existingId: first.id,
      existingState: "waiting",
      key: "add:k",
    });
    const bulk = await admin(h, "POST", "/v1/jobs/bulk", { jobs: [add("x"), unique()] });
    assert.deepEqual([bulk.status, bulk.error.issues[0].path], [409, ["jobs", 1]]);
    assert.equal(bulk.error.details.existingId, first.id);
    const existing = await admin(h, "POST", "/v1/jobs", unique("return-existing"));
    assert.deepEqual([existing.status, existing.id], [201, first.id]);
    const bad = await admin(h, "POST", "/v1/jobs", {
      job: "add",
      payload: { a: 1, b: 1 },
      options: { unique: { key: 5 }, onPrerequisiteFailure: "maybe" },
    });
    assert.equal(bad.status, 400);
    const paths = bad.error.issues.map((i: Json) => i.path.join("."));
    assert.ok(
      paths.includes("options.unique.key") && paths.includes("options.onPrerequisiteFailure"),
    );
  },

  async "the graph endpoint: 200 nodes by default, a cursor for the rest, each edge once"(h) {
    const jobs = [
      add("p"),
      add("hub", ["p"]),
      ...Array.from({ length: 250 }, (_, i) => add(`d${i}`, ["hub"])),
    ];
    const { ids } = await admin(h, "POST", "/v1/jobs/bulk", { jobs });
    const hub = ids[1];
    const first = await admin(h, "GET", `/v1/jobs/${hub}/graph`);
    assert.equal(first.status, 200);
    assert.equal(first.nodes.length, 200);
    assert.deepEqual(first.nodes.slice(0, 3).map((n: Json) => n.id), [hub, ids[0], ids[2]]);
    assert.deepEqual(Object.keys(first.nodes[0]).sort(), [
      "id",
      "name",
      "priority",
      "queue",
      "requestedPriority",
      "state",
    ]);
    assert.ok(first.nextCursor);
    const rest = await admin(h, "GET", `/v1/jobs/${hub}/graph?cursor=${first.nextCursor}`);
    assert.equal(rest.nodes.length, 52);
    assert.equal(rest.nextCursor, null);
    const nodes = [...first.nodes, ...rest.nodes].map((n: Json) => n.id);
    assert.deepEqual([...nodes].sort(), [...ids].sort());
    const edges = [...first.edges, ...rest.edges].map((e: Json) => `${e.from}>${e.to}`);
    assert.equal(new Set(edges).size, 251);
    assert.ok(edges.includes(`${ids[0]}>${hub}`) && edges.includes(`${hub}>${ids[251]}`));
    const small = await admin(h, "GET", `/v1/jobs/${ids[0]}/graph?limit=2`);
    assert.deepEqual([small.nodes.length, small.nextCursor], [2, "2"]);
    const big = await admin(h, "GET", `/v1/jobs/${hub}/graph?limit=2001`);
    assert.deepEqual([big.status, big.error.code], [400, "VALIDATION_FAILED"]);
    const junk = await admin(h, "GET", `/v1/jobs/${hub}/graph?cursor=abc`);
    assert.equal(junk.status, 400);
    const missing = await admin(h, "GET", "/v1/jobs/nope/graph");
    assert.deepEqual([missing.status, missing.error.code], [404, "JOB_NOT_FOUND"]);
    const deps = await admin(h, "GET", `/v1/jobs/${hub}/dependencies?limit=100&cursor=200`);
    assert.deepEqual(
      [deps.dependentCount, deps.dependents.length, deps.nextCursor, deps.prerequisites[0].id],
      [250, 50, null, ids[0]],
    );
    const detail = await admin(h, "GET", `/v1/jobs/${hub}`);
    assert.deepEqual(
      [detail.dependencies.dependents.length, detail.dependencies.nextCursor],
      [50, "50"],
    );
  },
};

/** Registers the suite for stores made by `store()`. */
export function gatewayGraphSuite(name: string, store: () => Promise<Store>): void {
  for (const [title, body] of Object.entries(CASES)) {
    Deno.test(`gateway graphs on ${name}: ${title}`, async () => {
      const h = await harness(await store());
      try {
        await body(h);
      } finally {
        await h.close();
      }
    });
  }
}
