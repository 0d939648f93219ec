/**
 * The command line and dependency graphs: `enqueue --file` with refs across batches (a line may
 * depend on any line before it, or on any of its own batch), its refusals naming the line, and
 * `inspect` showing prerequisites and dependents, `inspect --graph` the graph as text. Through
 * both targets: the engine (as on Redis; run on memory and, with REDIS_URL, on Redis) and the
 * gateway over HTTP.
 */
import assert from "node:assert/strict";
import type { Store } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { Add, Boom, Greet } from "./_gateway_harness.ts";
import { directSetup, engineWith, httpSetup, run, type Setup } from "./_cli_targets.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

const engineOn = (store: Store) => engineWith(store, [Add, Boom, Greet]);
const direct = (store: Store) => directSetup(store, engineOn);
const overHttp = (store: Store) => httpSetup(store, engineOn);

const line = (job: string, payload: unknown, ref?: string, options?: unknown) =>
  JSON.stringify({ job, payload, ...(ref ? { ref } : {}), ...(options ? { options } : {}) });

/** Writes `lines` to a temporary NDJSON file; returns its path. */
async function file(lines: string[]): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return path;
}

async function graphCase(setup: Setup): Promise<void> {
  // batches of 2: [r1 r2] [sum r4] [hello]; sum needs r1, r2 (stored before) and r4 (its batch)
  const path = await file([
    line("add", { a: 1, b: 1 }, "r1"),
    line("add", { a: 2, b: 2 }, "r2"),
    line("add", { a: 3, b: 3 }, "sum", { dependsOn: ["r1", "r2", "r4"], priority: "high" }),
    line("add", { a: 4, b: 4 }, "r4"),
    line("greet", { to: "ada" }, undefined, { dependsOn: ["sum"], onPrerequisiteFailure: "skip" }),
  ]);
  try {
    const enqueued = await run(setup, ["enqueue", "--file", path, "--batch", "2"]);
    assert.equal(enqueued.code, 0, enqueued.text);
    assert.deepEqual(enqueued.out, [`enqueued 5 jobs from ${path}`]);
  } finally {
    await Deno.remove(path);
  }
  const blocked = (await setup.engine.listJobs({ queue: "math", state: "blocked" })).jobs;
  const sum = blocked.find((j) => j.name === "add")!;
  const hello = blocked.find((j) => j.name === "greet")!;
  const [r1, r2, r4] = sum.prerequisites;
  assert.deepEqual(hello.prerequisites, [sum.id]);

  const inspected = await run(setup, ["inspect", sum.id]);
  assert.equal(inspected.code, 0, inspected.text);
  const { dependencies } = JSON.parse(inspected.out.join("\n"));
  assert.deepEqual(
    dependencies.prerequisites.map((p: { id: string; state: string; priority: string }) => [
      p.id,
      p.state,
      p.priority,
    ]),
    [[r1, "waiting", "high"], [r2, "waiting", "high"], [r4, "waiting", "high"]],
  );
  assert.deepEqual(dependencies.dependents.map((d: { id: string }) => d.id), [hello.id]);

  const graph = await run(setup, ["inspect", r1!, "--graph"]);
  assert.equal(graph.code, 0, graph.text);
  assert.match(graph.out[0]!, /^job\s+function\s+state\s+lane\s+after$/);
  const rows = graph.out.slice(1).map((l) => l.split(/\s{2,}/));
  assert.deepEqual(rows.map((r) => r[0]), [r1, sum.id, r2, r4, hello.id], "breadth first");
  assert.deepEqual(rows[1], [sum.id, "add", "blocked", "high", `${r1} ${r2} ${r4}`]);
  assert.deepEqual(rows[0], [r1, "add", "waiting", "high (asked normal)"]);
  const page = await run(setup, ["inspect", r1!, "--graph", "--limit", "2"]);
  assert.equal(page.out.length, 4);
  assert.equal(page.out.at(-1), `more: sluice inspect ${r1} --graph --cursor 2`);
  const rest = await run(setup, ["inspect", r1!, "--graph", "--limit", "2", "--cursor", "4"]);
  assert.deepEqual(rest.out.slice(1).map((l) => l.split(/\s+/)[0]), [hello.id]);
  assert.equal((await run(setup, ["inspect", r1!, "--limit", "2"])).code, 2);
  assert.equal((await run(setup, ["inspect", "nope", "--graph"])).code, 1);
}

async function refusalCase(setup: Setup): Promise<void> {
  const refused = async (lines: string[], batch: string, expected: RegExp) => {
    const path = await file(lines);
    try {
      const cli = await run(setup, ["enqueue", "--file", path, "--batch", batch]);
      assert.equal(cli.code, 2, cli.text);
      assert.match(cli.text, expected);
    } finally {
      await Deno.remove(path);
    }
  };
  const add = (ref: string, dependsOn: string[] = []) =>
    line("add", { a: 1, b: 1 }, ref, { dependsOn });
  await refused([add("a", ["b"]), add("b", ["a"])], "10", /:1: .*cycle: a -> b -> a/);
  await refused([add("x"), add("y", ["z"]), add("z")], "2", /:2: prerequisite "z" is neither/);
  await refused([add("x"), add("x")], "10", /:2: ref "x" is taken by line 1 /);
  const unique = line("add", { a: 1, b: 1 }, undefined, { unique: { key: "k" } });
  await refused(
    [unique, unique],
    "1",
    /:2: unique key "add:k" is held by job "[^"]+" \(waiting\)/,
  );
}

const SETUPS: [string, (store: Store) => Setup][] = [
  ["the engine", direct],
  ["the gateway", overHttp],
];

for (const [name, setup] of SETUPS) {
  for (
    const [title, body] of [["refs across batches, inspect --graph", graphCase], [
      "refusals name the line",
      refusalCase,
    ]] as const
  ) {
    Deno.test(`cli graphs through ${name}: ${title}`, async () => {
      const s = setup(new MemoryStore());
      try {
        await body(s);
      } finally {
        await s.close();
      }
    });
  }
}

await withRedis("cli graphs on Redis", (url) => {
  Deno.test("cli graphs straight through Redis: refs across batches, inspect --graph", async () => {
    const s = direct(await namespacedStore(url, "test-cli-graph"));
    try {
      await graphCase(s);
      await refusalCase(s);
    } finally {
      await s.close();
    }
  });
});
