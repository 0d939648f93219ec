/**
 * Engine cases of rate and concurrency limits, run against every store: per-key limits that
 * keep tenants apart, `ctx.rateLimit`, concurrency across nodes, queue rate limits changed at run
 * time, and the checks on limit options. Windows open on the fake clock, never by waiting.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  createEngine,
  define,
  type Engine,
  type JobDefinition,
  RateLimitError,
  silentLogger,
} from "../mod.ts";
import type { CaseContext, ConformanceCases } from "../src/store/_conformance.ts";
import { until } from "./_engine_conformance.ts";

const Tenant = z.object({ tenant: z.string() });
const Empty = z.object({});

/** An engine on a fresh store of `ctx` with `functions` and `nodes` workers. */
async function rig(ctx: CaseContext, functions: JobDefinition[], nodes = 1) {
  const engine = createEngine({
    store: await ctx.store(),
    clock: ctx.clock,
    logger: silentLogger,
    functions,
  });
  const workers = Array.from(
    { length: nodes },
    () => engine.work({ idlePollMs: 20, leader: false, concurrency: 4 }),
  );
  return {
    engine,
    done: async () => {
      await Promise.all(workers.map((w) => w.stop({ drainMs: 0 })));
      await engine.close();
    },
  };
}

/** The states of jobs `ids`, counted. */
async function states(engine: Engine, ids: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of ids) {
    const state = (await engine.getJob(id))!.state;
    out[state] = (out[state] ?? 0) + 1;
  }
  return out;
}

/** Real time for the workers to do something they should not (a short, fixed pause). */
const settle = () => new Promise((r) => setTimeout(r, 150));

/** The limit cases. */
export const LIMIT_ENGINE_CASES: ConformanceCases = {
  async "limits: per tenant, a flooding tenant waits while the nine others run at once"(ctx) {
    const mail = define(
      {
        name: "mail",
        payload: Tenant,
        rateLimit: { max: 5, duration: 1_000, key: (p) => p.tenant },
      },
      () => "sent",
    );
    const { engine, done } = await rig(ctx, [mail], 2);
    try {
      const flood = await engine.enqueueBulk(
        Array.from({ length: 60 }, () => ({ job: mail, payload: { tenant: "big" } })),
      );
      const others = await engine.enqueueBulk(
        Array.from({ length: 45 }, (_, i) => ({ job: mail, payload: { tenant: `t${i % 9}` } })),
      );
      await until(() => states(engine, others), (s) => s.completed === 45);
      await until(() => states(engine, flood), (s) => s.completed === 5 && s.waiting === 55);
      await settle();
      assert.deepEqual(await states(engine, flood), { completed: 5, waiting: 55 });
      const parked = await engine.getJob(flood.at(-1)!);
      assert.equal(parked!.throttledBy, "mail|big");
      assert.equal((await engine.counts("default")).throttled, 55);
      ctx.clock.advance(1_000);
      await until(() => states(engine, flood), (s) => s.completed === 10);
      await settle();
      assert.equal((await states(engine, flood)).completed, 10);
    } finally {
      await done();
    }
  },

  async "limits: ctx.rateLimit pauses its function on every node, spending no attempt"(ctx) {
    const seen: string[] = [];
    const polite = define({ name: "polite", payload: z.object({ n: z.number() }) }, (p, c) => {
      if (p.n === 0 && !seen.includes("throttled")) {
        seen.push("throttled");
        return c.rateLimit(2_000);
      }
      if (p.n === 1 && !seen.includes("thrown")) {
        seen.push("thrown");
        throw new RateLimitError(500);
      }
      seen.push(`ran ${p.n}`);
    });
    const other = define({ name: "other", payload: Empty }, () => void seen.push("other"));
    const { engine, done } = await rig(ctx, [polite, other], 3);
    try {
      const first = await engine.enqueue(polite, { n: 0 });
      await until(() => engine.getJob(first), (j) => j?.throttledBy === "polite");
      const rest = await engine.enqueueBulk([
        { job: polite, payload: { n: 2 } },
        { job: polite, payload: { n: 3 } },
        { job: other, payload: {} },
      ]);
      await until(() => Promise.resolve(seen), (s) => s.includes("other"));
      ctx.clock.advance(1_999);
      await settle();
      assert.deepEqual(seen, ["throttled", "other"]);
      const held = (await engine.getJob(first))!;
      assert.deepEqual([held.state, held.attempts], ["waiting", 0]);
      ctx.clock.advance(1);
      await until(() => states(engine, [first, ...rest]), (s) => s.completed === 4);
      assert.equal(seen[2], "ran 0", `the throttled job runs first: ${seen}`);
      const ran = (await engine.getJob(first))!;
      assert.deepEqual([ran.attempts, ran.history.map((h) => h.outcome)], [1, [
        "released",
        "completed",
      ]]);
      // a RateLimitError thrown by hand does the same
      const second = await engine.enqueue(polite, { n: 1 });
      await until(() => engine.getJob(second), (j) => j?.throttledBy === "polite");
      ctx.clock.advance(500);
      await until(() => engine.getJob(second), (j) => j?.state === "completed");
    } finally {
      await done();
    }
  },

  async "limits: a concurrency limit holds across three nodes"(ctx) {
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const report = define(
      { name: "report", payload: Empty, concurrencyLimit: { max: 2 } },
      async () => {
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
      },
    );
    const { engine, done } = await rig(ctx, [report], 3);
    try {
      const ids = await engine.enqueueBulk(
        Array.from({ length: 8 }, () => ({ job: report, payload: {} })),
      );
      for (let finished = 0; finished < 8;) {
        await until(() => Promise.resolve(gates.length), (n) => n > 0);
        await settle(); // a third would start now if the limit let it
        assert.ok(running <= 2, `${running} running`);
        gates.shift()!();
        finished++;
      }
      await until(() => states(engine, ids), (s) => s.completed === 8);
      assert.equal(most, 2);
    } finally {
      await done();
    }
  },

  async "limits: a freed concurrency slot wakes the queue its next job is parked in"(ctx) {
    const gates: (() => void)[] = [];
    const send = define(
      { name: "send", payload: Empty, concurrencyLimit: { max: 1 } },
      () => new Promise<void>((resolve) => gates.push(resolve)),
    );
    const engine = createEngine({
      store: await ctx.store(),
      clock: ctx.clock,
      logger: silentLogger,
      functions: [send],
    });
    // one node a queue, polling too seldom to matter here
    const nodeA = engine.work({ queues: ["a"], leader: false, idlePollMs: 60_000 });
    const nodeB = engine.work({ queues: ["b"], leader: false, idlePollMs: 60_000 });
    try {
      await engine.enqueue(send, {}, { queue: "a" });
      await until(() => Promise.resolve(gates.length), (n) => n === 1);
      const parked = await engine.enqueue(send, {}, { queue: "b" });
      await until(() => engine.getJob(parked), (j) => j?.throttledBy !== null);
      // node A ends its job as it stops: nothing serving "a" looks at the limit again
      const stopping = nodeA.stop({ drainMs: 5_000 });
      gates.shift()!();
      await stopping;
      await until(() => Promise.resolve(gates.length), (n) => n === 1, { timeoutMs: 5_000 });
      gates.shift()!();
      await until(() => engine.getJob(parked), (j) => j?.state === "completed");
    } finally {
      for (const release of gates) release();
      await nodeA.stop({ drainMs: 0 });
      await nodeB.stop({ drainMs: 0 });
      await engine.close();
    }
  },

  async "limits: a queue rate limit changes at run time and reads back"(ctx) {
    const ping = define({ name: "ping", payload: Empty, queue: "pings" }, () => "pong");
    const { engine, done } = await rig(ctx, [ping]);
    try {
      await engine.enqueue(ping, {}); // the queue exists
      await until(() => engine.counts("pings"), (c) => c.states.completed === 1);
      const config = await engine.configureQueue("pings", {
        rateLimit: { max: 2, duration: 1_000 },
      });
      assert.deepEqual(config.rateLimit, { max: 2, duration: 1_000 });
      ctx.clock.advance(1_000);
      const ids = await engine.enqueueBulk(
        Array.from({ length: 5 }, () => ({ job: ping, payload: {} })),
      );
      await until(() => states(engine, ids), (s) => s.completed === 2);
      await settle();
      assert.equal((await states(engine, ids)).completed, 2);
      await engine.configureQueue("pings", { rateLimit: null });
      await until(() => states(engine, ids), (s) => s.completed === 5);
      assert.deepEqual(await engine.functionLimits(), {});
    } finally {
      await done();
    }
  },

  async "limits: options are checked when defined; a bad key refuses the enqueue"(ctx) {
    const bad = (options: Record<string, unknown>) => () =>
      define({ name: "x", payload: Tenant, ...options }, () => {});
    assert.throws(bad({ rateLimit: { max: 0, duration: 1_000 } }), RangeError);
    assert.throws(bad({ rateLimit: { max: 5 } }), RangeError);
    assert.throws(bad({ rateLimit: { max: 5, duration: 1_000, key: "tenant" } }), TypeError);
    assert.throws(bad({ rateLimit: { max: 5, duration: 1_000, per: 1 } }), /unknown option/);
    assert.throws(bad({ concurrencyLimit: { max: 1.5 } }), RangeError);
    assert.throws(bad({ concurrencyLimit: 3 }), TypeError);
    assert.throws(
      bad({
        rateLimit: { max: 5, duration: 1_000, key: (p: { tenant: string }) => p.tenant },
        concurrencyLimit: { max: 2, key: (p: { tenant: string }) => p.tenant.toUpperCase() },
      }),
      /same function/,
    );
    const keyed = define({
      name: "keyed",
      payload: z.object({ n: z.number() }),
      concurrencyLimit: { max: 1, key: (p) => (p.n > 0 ? String(p.n) : (undefined as never)) },
    }, () => {});
    const { engine, done } = await rig(ctx, [keyed]);
    try {
      await assert.rejects(() => engine.enqueue(keyed, { n: 0 }), /limit key of keyed/);
      assert.equal((await engine.counts("default")).states.waiting, 0);
      await engine.enqueue(keyed, { n: 1 });
      assert.deepEqual(await engine.functionLimits(), {
        keyed: { rate: null, concurrency: 1, perKey: true },
      });
    } finally {
      await done();
    }
  },
};
