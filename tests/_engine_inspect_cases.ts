/**
 * Engine cases of graph inspection: a job's prerequisites and pages of its dependents with their
 * states, and the walk of the connected graph, breadth first, capped and continued by cursor.
 * Run against every store by the store test runners.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, type Engine, JobNotFoundError, silentLogger } from "../mod.ts";
import type { CaseContext, ConformanceCases } from "../src/store/_conformance.ts";

const Step = define(
  { name: "inspect-step", payload: z.object({ n: z.number() }), queue: "inspect" },
  () => null,
);

/**
 * The fixture: `p1` (batch) and `p2` -> `hub` (critical) -> `d0`..`d119`; `p1` -> `side`; `x`
 * alone. Returns the ids by ref.
 */
async function fixture(ctx: CaseContext): Promise<{ engine: Engine; id: Map<string, string> }> {
  const engine = createEngine({
    store: await ctx.store(),
    clock: ctx.clock,
    logger: silentLogger,
    functions: [Step],
  });
  const at = (ref: string, dependsOn: string[] = [], priority?: "batch" | "critical") => ({
    job: Step,
    payload: { n: 0 },
    ref,
    options: { dependsOn, ...(priority ? { priority } : {}) },
  });
  const items = [
    at("x"),
    at("p1", [], "batch"),
    at("p2"),
    at("hub", ["p1", "p2"], "critical"),
    ...Array.from({ length: 120 }, (_, i) => at(`d${i}`, ["hub"])),
    at("side", ["p1"]),
  ];
  const ids = await engine.enqueueBulk(items);
  return { engine, id: new Map(items.map((item, i) => [item.ref, ids[i]!])) };
}

/** The link of a waiting prerequisite of `hub`, raised to critical from `requested`. */
const waiting = (id: string, requested: string) => ({
  id,
  name: "inspect-step",
  queue: "inspect",
  state: "waiting",
  priority: "critical",
  requestedPriority: requested,
});

/** The fixture's 124 connected jobs, in the order a walk from `hub` finds them. */
const FROM_HUB = ["hub", "p1", "p2", ...Array.from({ length: 120 }, (_, i) => `d${i}`), "side"];

/** The cases. */
export const INSPECT_ENGINE_CASES: ConformanceCases = {
  async "inspect: prerequisites with states and lanes, dependents page by page"(ctx) {
    const { engine, id } = await fixture(ctx);
    const first = await engine.dependencies(id.get("hub")!);
    assert.deepEqual(first.prerequisites, [
      waiting(id.get("p1")!, "batch"),
      waiting(id.get("p2")!, "normal"),
    ]);
    assert.equal(first.dependentCount, 120);
    assert.deepEqual(
      first.dependents.map((d) => d.id),
      FROM_HUB.slice(3, 53).map((r) => id.get(r)),
    );
    assert.ok(first.dependents.every((d) => d.state === "blocked" && d.priority === "normal"));
    assert.equal(first.nextCursor, "50");
    const last = await engine.dependencies(id.get("hub")!, { cursor: "100", limit: 50 });
    assert.deepEqual(
      last.dependents.map((d) => d.id),
      FROM_HUB.slice(103, 123).map((r) => id.get(r)),
    );
    assert.equal(last.nextCursor, null);
    const leaf = await engine.dependencies(id.get("x")!);
    assert.deepEqual([leaf.prerequisites, leaf.dependents, leaf.dependentCount], [[], [], 0]);
    await assert.rejects(() => engine.dependencies("nope"), JobNotFoundError);
    await assert.rejects(() => engine.dependencies(id.get("x")!, { limit: 1_001 }), RangeError);
    await engine.close();
  },

  async "inspect: the graph walk is breadth first, capped, continued by cursor, edges once"(ctx) {
    const { engine, id } = await fixture(ctx);
    const ref = new Map([...id].map(([r, i]) => [i, r]));
    const whole = await engine.graph(id.get("hub")!);
    assert.deepEqual(whole.nodes.map((n) => ref.get(n.id)), FROM_HUB, "x is not connected");
    assert.equal(whole.nextCursor, null);
    assert.deepEqual(whole.nodes[1], waiting(id.get("p1")!, "batch"));
    const expectedEdges = [
      "p1->hub",
      "p2->hub",
      ...Array.from({ length: 120 }, (_, i) => `hub->d${i}`),
      "p1->side",
    ];
    const named = (edges: { from: string; to: string }[]) =>
      edges.map((e) => `${ref.get(e.from)}->${ref.get(e.to)}`);
    assert.deepEqual(named(whole.edges), expectedEdges);

    // pages of 50: the same walk, cut; every node and edge exactly once
    const pages = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = await engine.graph(id.get("hub")!, { limit: 50, cursor });
      pages.push(page);
      cursor = page.nextCursor;
    }
    assert.deepEqual(pages.map((p) => p.nodes.length), [50, 50, 24]);
    assert.deepEqual(pages.flatMap((p) => p.nodes.map((n) => ref.get(n.id))), FROM_HUB);
    assert.deepEqual(pages.flatMap((p) => named(p.edges)), expectedEdges);

    // from a leaf: up to the hub, then everything the hub reaches
    const fromLeaf = await engine.graph(id.get("d7")!, { limit: 5 });
    assert.deepEqual(fromLeaf.nodes.map((n) => ref.get(n.id)), ["d7", "hub", "p1", "p2", "d0"]);
    assert.equal(fromLeaf.nextCursor, "5");
    const all = await engine.graph(id.get("d7")!, { limit: 2_000 });
    assert.deepEqual(all.nodes.map((n) => ref.get(n.id)).sort(), [...FROM_HUB].sort());

    await assert.rejects(() => engine.graph("nope"), JobNotFoundError);
    await assert.rejects(() => engine.graph(id.get("x")!, { limit: 2_001 }), RangeError);
    await assert.rejects(() => engine.graph(id.get("x")!, { cursor: "abc" }), RangeError);
    await engine.close();
  },
};
