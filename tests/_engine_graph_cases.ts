/**
 * Engine cases of dependency graphs and unique keys, end to end: submission with refs, cycle
 * errors, results handed to dependents, priority inheritance by dispatch order, a 10,000-job DAG
 * run in edge order, and uniqueness under concurrency and in bulk. Run against every store by
 * the store test runners.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  BulkItemError,
  createEngine,
  define,
  DuplicateJobError,
  type Engine,
  silentLogger,
  UnknownPrerequisiteError,
} from "../mod.ts";
import type { CaseContext, ConformanceCases } from "../src/store/_conformance.ts";
import { until } from "./_engine_conformance.ts";

const Step = z.object({ n: z.number() });

/** Every start and end of a handler, in order (reset per case). */
let log: string[] = [];

const Resize = define(
  { name: "graph-resize", payload: Step, queue: "graph" },
  ({ n }) => {
    log.push(`start ${n}`, `end ${n}`);
    return { width: n * 10 };
  },
);

const Album = define(
  { name: "graph-album", payload: Step, queue: "graph" },
  ({ n }, ctx) => {
    log.push(`start ${n}`);
    const widths = ctx.resultsOf(Resize).map((r) => r.width); // typed: number[]
    log.push(`end ${n}`);
    return { widths, seen: ctx.prerequisites.map((p) => [p.name, p.state]) };
  },
);

const Unique = define({
  name: "graph-unique",
  payload: z.object({ user: z.string(), note: z.string().optional() }),
  queue: "graph",
  unique: { key: (p) => p.user },
}, () => null);

async function engineOn(ctx: CaseContext): Promise<Engine> {
  log = [];
  return createEngine({
    store: await ctx.store(),
    clock: ctx.clock,
    logger: silentLogger,
    functions: [Resize, Album, Unique],
  });
}

/** Item n of a chain or graph. */
const item = (n: number, dependsOn: string[] = [], job: typeof Resize | typeof Album = Resize) => ({
  job,
  payload: { n },
  ref: `s${n}`,
  options: { dependsOn },
});

/** The cases. */
export const GRAPH_ENGINE_CASES: ConformanceCases = {
  async "graphs: a DAG goes in one call, in any order; dependents get typed results"(ctx) {
    const engine = await engineOn(ctx);
    // the dependent first: refs may point forward
    const ids = await engine.enqueueBulk([
      item(9, ["s1", "s2"], Album),
      item(1),
      item(2),
    ]);
    assert.equal((await engine.getJob(ids[0]!))!.state, "blocked");
    assert.deepEqual((await engine.getJob(ids[0]!))!.prerequisites, [ids[1], ids[2]]);
    const worker = engine.work({ concurrency: 2, leader: false, idlePollMs: 20 });
    const album = await until(() => engine.getJob(ids[0]!), (j) => j?.state === "completed");
    assert.deepEqual(album!.result, {
      widths: [10, 20],
      seen: [["graph-resize", "completed"], ["graph-resize", "completed"]],
    });
    assert.ok(log.indexOf("start 9") > Math.max(log.indexOf("end 1"), log.indexOf("end 2")));
    await worker.stop();
    await engine.close();
  },

  async "graphs: cycles of length 1, 2 and 50 are refused, named, and nothing is stored"(ctx) {
    const engine = await engineOn(ctx);
    const refused = async (items: ReturnType<typeof item>[], cycle: RegExp) => {
      await assert.rejects(() => engine.enqueueBulk(items), (e) => {
        assert.ok(e instanceof BulkItemError, String(e));
        assert.match(e.message, cycle);
        return true;
      });
    };
    await refused([item(1), item(2, ["s2"])], /cycle: s2 -> s2/);
    await refused([item(1, ["s2"]), item(2, ["s1"])], /cycle: s1 -> s2 -> s1/);
    const ring = Array.from({ length: 50 }, (_, i) => item(i, [`s${(i + 1) % 50}`]));
    await refused(ring, /cycle: s0 -> s1 -> s2 .* -> s49 -> s0/);
    await assert.rejects(
      () => engine.enqueue(Resize, { n: 1 }, { id: "self", dependsOn: ["self"] }),
      /cycle: self -> self/,
    );
    assert.deepEqual(await engine.queues(), []);
    await assert.rejects(
      () => engine.enqueueBulk([item(1), item(2, ["s1", "nope"])]),
      (e) => e instanceof UnknownPrerequisiteError && e.index === 1,
    );
    assert.deepEqual(await engine.queues(), []);
    await engine.close();
  },

  async "graphs: a critical dependent gets its batch prerequisite served as critical"(ctx) {
    const engine = await engineOn(ctx);
    await engine.enqueueBulk(
      Array.from({ length: 1_000 }, (_, i) => ({ job: Resize, payload: { n: 1_000 + i } })),
    );
    const [prerequisite] = await engine.enqueueBulk([
      { ...item(1), options: { priority: "batch" } },
      { ...item(2, ["s1"], Album), options: { priority: "critical", dependsOn: ["s1"] } },
    ]);
    assert.equal((await engine.getJob(prerequisite!))!.priority, "critical");
    assert.equal((await engine.getJob(prerequisite!))!.requestedPriority, "batch");
    const worker = engine.work({ concurrency: 1, reservedSlots: 0, leader: false });
    await until(() => engine.counts("graph"), (c) => c.states.completed >= 2 + 5);
    await worker.stop();
    const first = log.filter((l) => l.startsWith("start")).slice(0, 5);
    assert.ok(first.includes("start 1"), `the prerequisite waited behind the backlog: ${first}`);
    assert.ok(first.includes("start 2"), `the critical dependent waited: ${first}`);
    await engine.close();
  },

  async "graphs: 10,000 jobs in layers run in edge order at concurrency 32"(ctx) {
    const engine = await engineOn(ctx);
    const layers = 10;
    const width = 1_000;
    const items = [];
    for (let layer = 0; layer < layers; layer++) {
      for (let i = 0; i < width; i++) {
        const n = layer * width + i;
        const deps = layer === 0
          ? []
          : [`s${n - width}`, `s${(layer - 1) * width + (i + 1) % width}`];
        items.push(item(n, deps));
      }
    }
    const ids = await engine.enqueueBulk(items);
    assert.equal(ids.length, 10_000);
    assert.equal((await engine.counts("graph")).states.blocked, 9_000);
    const worker = engine.work({ concurrency: 32, reservedSlots: 0, leader: false });
    await until(
      () => engine.counts("graph"),
      (c) => c.states.completed === 10_000,
      { timeoutMs: 120_000 },
    );
    await worker.stop();
    const ended = new Map<number, number>();
    const started = new Map<number, number>();
    log.forEach((line, at) => {
      const [what, n] = line.split(" ");
      (what === "end" ? ended : started).set(Number(n), at);
    });
    for (let n = width; n < layers * width; n++) {
      const layer = Math.floor(n / width);
      const i = n % width;
      for (const dep of [n - width, (layer - 1) * width + (i + 1) % width]) {
        assert.ok(ended.get(dep)! < started.get(n)!, `job ${n} started before ${dep} ended`);
      }
    }
    await engine.close();
  },

  async "unique: 100 concurrent enqueues of one key give one job"(ctx) {
    const engine = await engineOn(ctx);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, () => engine.enqueue(Unique, { user: "ann" })),
    );
    const stored = outcomes.filter((o) => o.status === "fulfilled");
    assert.equal(stored.length, 1);
    assert.ok(
      outcomes.every((o) => o.status === "fulfilled" || o.reason instanceof DuplicateJobError),
    );
    assert.equal((await engine.counts("graph")).states.waiting, 1);
    const job = await engine.getJob((stored[0] as PromiseFulfilledResult<string>).value);
    assert.equal(job!.uniqueKey, "graph-unique:ann");
    // per enqueue, the definition's rule can be overridden
    const again = await engine.enqueue(Unique, { user: "ann", note: "x" }, {
      unique: { key: "ann", onConflict: "return-existing" },
    });
    assert.equal(again, job!.id);
    await engine.close();
  },

  async "unique: a bulk of 5,000 with one conflict stores nothing"(ctx) {
    const engine = await engineOn(ctx);
    await engine.enqueue(Unique, { user: "taken" });
    const items = Array.from({ length: 5_000 }, (_, i) => ({
      job: Unique,
      payload: { user: i === 4_321 ? "taken" : `u${i}` },
    }));
    await assert.rejects(
      () => engine.enqueueBulk(items),
      (e) => e instanceof DuplicateJobError && e.index === 4_321,
    );
    assert.equal((await engine.counts("graph")).states.waiting, 1);
    await engine.close();
  },
};
