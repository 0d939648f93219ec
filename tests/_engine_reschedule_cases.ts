/**
 * Engine cases of `engine.reschedule`, run against every store: due times by Date, epoch ms or
 * delay on the store's clock; refusals as errors through the one status mapping.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, InvalidStateError, JobNotFoundError, silentLogger } from "../mod.ts";
import type { ConformanceCases } from "../src/store/_conformance.ts";

const Noop = define({ name: "noop", payload: z.object({}), queue: "r" }, () => null);

/** The engine reschedule cases. */
export const RESCHEDULE_ENGINE_CASES: ConformanceCases = {
  async "engine: reschedule by delay, Date or epoch ms; refusals are errors"(ctx) {
    const store = await ctx.store();
    const engine = createEngine({
      store,
      clock: ctx.clock,
      logger: silentLogger,
      functions: [Noop],
    });
    const id = await engine.enqueue(Noop, {});
    assert.equal(await engine.reschedule(id, { delay: 90_000 }), "delayed");
    assert.equal((await engine.getJob(id))!.runAt, ctx.clock.now() + 90_000);
    const at = new Date(ctx.clock.now() + 5_000);
    assert.equal(await engine.reschedule(id, { runAt: at }), "delayed");
    assert.equal((await engine.getJob(id))!.runAt, at.getTime());
    assert.equal(await engine.reschedule(id, { runAt: ctx.clock.now() }), "waiting");
    await store.reserve({ worker: "w", queues: ["r"], count: 1, leaseMs: 60_000 });
    await assert.rejects(
      () => engine.reschedule(id, { delay: 1 }),
      (e) => e instanceof InvalidStateError && e.state === "active" && /reschedule/.test(e.message),
    );
    await assert.rejects(() => engine.reschedule("missing", { delay: 1 }), JobNotFoundError);
    for (const bad of [{}, { delay: -1 }, { delay: 1, runAt: 1 }, { runAt: "soon" }, null]) {
      await assert.rejects(() => engine.reschedule(id, bad as never), /reschedule:/);
    }
    await engine.close();
  },
};
