/**
 * Engine cases of failure handling (retry strategies, snooze, timeouts, the dead-letter queue,
 * failure callbacks, the webhook, cancellation), run against every store by the store test
 * runners. Delays are read off the fake clock, never measured.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  type Backoff,
  createEngine,
  define,
  type Engine,
  type EngineOptions,
  exponential,
  fixed,
  type JobDefinition,
  type JobInfo,
  schedule,
  silentLogger,
  SnoozeError,
  UnrecoverableError,
  verifyWebhookSignature,
  type WorkOptions,
} from "../mod.ts";
import type { CaseContext, ConformanceCases } from "../src/store/_conformance.ts";
import { until } from "./_engine_conformance.ts";

const Empty = z.object({});
const fail = (): never => {
  throw new Error("always fails");
};
/** A promise that never settles: a handler stuck for good. */
const forever = (): Promise<never> => new Promise<never>(() => {});

interface Rig {
  engine: Engine;
  /** Stops the worker and closes the engine. */
  done(): Promise<void>;
}

/** An engine on a fresh store of `ctx` with `functions`, and a worker serving `queue`. */
async function rig(
  ctx: CaseContext,
  functions: JobDefinition[],
  options: Partial<EngineOptions> = {},
  work: WorkOptions = {},
): Promise<Rig> {
  const engine = createEngine({
    store: await ctx.store(),
    clock: ctx.clock,
    logger: silentLogger,
    functions,
    ...options,
  });
  const worker = engine.work({ idlePollMs: 20, leader: false, ...work });
  return {
    engine,
    done: async () => {
      await worker.stop({ drainMs: 0 });
      await engine.close();
    },
  };
}

const job = (engine: Engine, id: string): Promise<JobInfo | null> => engine.getJob(id);

/**
 * Runs a job of `fn` (4 attempts, always failing) to the dead-letter queue, advancing the fake
 * clock by each retry delay; returns the delays (retry time minus failure time).
 */
async function delaysOf(ctx: CaseContext, backoff: Backoff): Promise<number[]> {
  const fn = define({ name: "flaky", payload: Empty, retry: { attempts: 4, backoff } }, fail);
  const { engine, done } = await rig(ctx, [fn]);
  try {
    const id = await engine.enqueue(fn, {});
    const delays: number[] = [];
    for (let failures = 1; failures < 4; failures++) {
      const j = await until(() => job(engine, id), (j) => j?.history.length === failures);
      assert.equal(j!.state, "delayed");
      const delay = j!.runAt - j!.history.at(-1)!.finishedAt;
      delays.push(delay);
      ctx.clock.advance(delay);
    }
    const dead = await until(() => job(engine, id), (j) => j?.state === "dead");
    assert.equal(dead!.attempts, 4);
    return delays;
  } finally {
    await done();
  }
}

/** The engine cases of failure handling. */
export const RETRY_CASES: ConformanceCases = {
  async "retry: fixed waits the same delay each time"(ctx) {
    assert.deepEqual(await delaysOf(ctx, fixed(100)), [100, 100, 100]);
  },

  async "retry: exponential grows by its factor"(ctx) {
    assert.deepEqual(await delaysOf(ctx, exponential(100, { factor: 3 })), [100, 300, 900]);
  },

  async "retry: a schedule gives one delay per retry"(ctx) {
    assert.deepEqual(await delaysOf(ctx, schedule([10, 50, 20])), [10, 50, 20]);
  },

  async "retry: a backoff function gets the attempt and the error"(ctx) {
    const seen: string[] = [];
    const backoff = (attempt: number, error: unknown): number => {
      seen.push((error as Error).message);
      return attempt * 7;
    };
    assert.deepEqual(await delaysOf(ctx, backoff), [7, 14, 21]);
    assert.deepEqual(seen, ["always fails", "always fails", "always fails"]);
  },

  async "retry: a job that always fails is dead after exactly its attempts, with its history; requeue runs it again, purge removes it"(
    ctx,
  ) {
    let runs = 0;
    const fn = define(
      { name: "doomed", payload: Empty, queue: "dlq", retry: { attempts: 3, backoff: fixed(0) } },
      () => {
        runs++;
        throw new TypeError(`failure ${runs}`);
      },
    );
    const { engine, done } = await rig(ctx, [fn]);
    try {
      const id = await engine.enqueue(fn, {});
      let dead = await until(() => job(engine, id), (j) => j?.state === "dead");
      assert.equal(runs, 3);
      assert.equal(dead!.attempts, 3);
      assert.deepEqual(dead!.history.map((h) => [h.attempt, h.outcome, h.error?.message]), [
        [1, "failed", "failure 1"],
        [2, "failed", "failure 2"],
        [3, "failed", "failure 3"],
      ]);
      assert.equal(dead!.history[0]!.error!.name, "TypeError");
      assert.match(dead!.history[0]!.error!.stack!, /failure 1/);
      assert.equal(dead!.error!.message, "failure 3");
      const listed = await engine.deadLetters.list({ queue: "dlq", errorContains: "failure 3" });
      assert.deepEqual(listed.jobs.map((j) => j.id), [id]);
      assert.equal((await engine.deadLetters.get(id))!.history.length, 3);

      await engine.deadLetters.requeue(id);
      dead = await until(
        () => job(engine, id),
        (j) => j?.state === "dead" && j.history.length === 6,
      );
      assert.equal(runs, 6);
      assert.equal(dead!.attempts, 3);

      assert.equal(await engine.deadLetters.purge(id), 1);
      assert.equal(await job(engine, id), null);
      assert.equal((await engine.counts("dlq")).states.dead, 0);
    } finally {
      await done();
    }
  },

  async "retry: requeueMany and purge by filter work through the queue"(ctx) {
    const a = define({ name: "a", payload: Empty, queue: "dlq", attempts: 1 }, fail);
    const b = define({ name: "b", payload: Empty, queue: "dlq", attempts: 1 }, fail);
    const { engine, done } = await rig(ctx, [a, b]);
    try {
      const ids = [await engine.enqueue(a, {}), await engine.enqueue(b, {})];
      await until(() => engine.counts("dlq"), (c) => c.states.dead === 2);
      assert.equal(await engine.deadLetters.requeueMany({ queue: "dlq", name: "a" }), 1);
      await until(() => job(engine, ids[0]!), (j) => j?.state === "dead" && j.history.length === 2);
      assert.equal(await engine.deadLetters.purge({ queue: "dlq" }), 2);
      assert.deepEqual((await engine.deadLetters.list({ queue: "dlq" })).jobs, []);
      await assert.rejects(() => engine.deadLetters.requeue(ids[0]!), /not found/);
    } finally {
      await done();
    }
  },

  async "retry: UnrecoverableError skips the remaining attempts"(ctx) {
    const fn = define({ name: "hopeless", payload: Empty, attempts: 5 }, () => {
      throw new UnrecoverableError("bad input");
    });
    const { engine, done } = await rig(ctx, [fn]);
    try {
      const id = await engine.enqueue(fn, {});
      const dead = await until(() => job(engine, id), (j) => j?.state === "dead");
      assert.equal(dead!.attempts, 1);
      assert.equal(dead!.error!.name, "UnrecoverableError");
    } finally {
      await done();
    }
  },

  async "retry: a backoff function can stop early"(ctx) {
    const backoff = (attempt: number) => (attempt >= 2 ? "stop" as const : 0);
    const fn = define({ name: "quitter", payload: Empty, retry: { attempts: 5, backoff } }, fail);
    const { engine, done } = await rig(ctx, [fn]);
    try {
      const id = await engine.enqueue(fn, {});
      assert.equal((await until(() => job(engine, id), (j) => j?.state === "dead"))!.attempts, 2);
    } finally {
      await done();
    }
  },

  async "retry: an enqueue overrides attempts and backoff"(ctx) {
    const fn = define({
      name: "flaky",
      payload: Empty,
      retry: { attempts: 5, backoff: fixed(1_000) },
    }, fail);
    const { engine, done } = await rig(ctx, [fn]);
    try {
      const id = await engine.enqueue(fn, {}, {
        retry: { attempts: 2, backoff: { type: "fixed", delay: 40 } },
      });
      const failed = await until(() => job(engine, id), (j) => j?.history.length === 1);
      assert.equal(failed!.runAt - failed!.history[0]!.finishedAt, 40);
      ctx.clock.advance(40);
      assert.equal((await until(() => job(engine, id), (j) => j?.state === "dead"))!.attempts, 2);
      await assert.rejects(
        () => engine.enqueue(fn, {}, { retry: { backoff: (() => 1) as never } }),
        /cannot travel with a job/,
      );
      await assert.rejects(
        () => engine.enqueue(fn, {}, { attempts: 2, retry: { attempts: 3 } }),
        TypeError,
      );
    } finally {
      await done();
    }
  },

  async "snooze: the job runs again later without spending an attempt"(ctx) {
    let runs = 0;
    const fn = define({ name: "sleepy", payload: Empty, attempts: 1 }, (_, c) => {
      runs++;
      if (runs === 1) return c.snooze(500);
      if (runs === 2) throw new SnoozeError(300);
      return { runs };
    });
    const { engine, done } = await rig(ctx, [fn]);
    try {
      const id = await engine.enqueue(fn, {});
      for (const [snoozes, delay] of [[1, 500], [2, 300]] as const) {
        const j = await until(
          () => job(engine, id),
          (j) => j?.state === "delayed" && j.history.length === snoozes,
        );
        assert.equal(j!.runAt - j!.history.at(-1)!.finishedAt, delay);
        assert.equal(j!.attempts, 0);
        ctx.clock.advance(delay);
      }
      const completed = await until(() => job(engine, id), (j) => j?.state === "completed");
      assert.deepEqual(completed!.result, { runs: 3 });
      assert.equal(completed!.attempts, 1);
      assert.deepEqual(completed!.history.map((h) => h.outcome), [
        "released",
        "released",
        "completed",
      ]);
    } finally {
      await done();
    }
  },

  async "timeout: the signal fires at the deadline and the attempt fails with TimeoutError"(ctx) {
    const polite = define(
      { name: "polite", payload: Empty, attempts: 1, timeout: 30 },
      (_, c) =>
        new Promise((_, reject) =>
          c.signal.addEventListener("abort", () => reject(c.signal.reason))
        ),
    );
    const stubborn = define(
      { name: "stubborn", payload: Empty, attempts: 1, timeout: 30 },
      forever,
    );
    const quick = define({ name: "quick", payload: Empty }, () => "done");
    const { engine, done } = await rig(ctx, [polite, stubborn, quick], { abortGraceMs: 20 }, {
      concurrency: 1,
    });
    try {
      const ids = [await engine.enqueue(polite, {}), await engine.enqueue(stubborn, {})];
      const after = await engine.enqueue(quick, {});
      for (const id of ids) {
        const dead = await until(() => job(engine, id), (j) => j?.state === "dead");
        assert.equal(dead!.error!.name, "TimeoutError");
        assert.match(dead!.error!.message, /ran past its timeout of 30 ms/);
      }
      assert.match((await job(engine, ids[1]!))!.error!.message, /stopped waiting for it/);
      // the single slot was freed: the node goes on with other jobs
      assert.equal(
        (await until(() => job(engine, after), (j) => j?.state === "completed"))!.result,
        "done",
      );
    } finally {
      await done();
    }
  },

  async "cancel: an active job gets its signal aborted and ends cancelled, also if it ignores it"(
    ctx,
  ) {
    const polite = define(
      { name: "polite", payload: Empty },
      (_, c) =>
        new Promise((_, reject) =>
          c.signal.addEventListener("abort", () => reject(c.signal.reason))
        ),
    );
    const stubborn = define({ name: "stubborn", payload: Empty }, forever);
    const { engine, done } = await rig(ctx, [polite, stubborn], { cancelGraceMs: 20 }, {
      leaseMs: 150,
    });
    try {
      const ids = [await engine.enqueue(polite, {}), await engine.enqueue(stubborn, {})];
      for (const id of ids) {
        await until(() => job(engine, id), (j) => j?.state === "active");
        assert.equal(await engine.cancel(id), "active");
      }
      for (const id of ids) {
        const cancelled = await until(() => job(engine, id), (j) => j?.state === "cancelled");
        assert.equal(cancelled!.history.at(-1)!.outcome, "cancelled");
        assert.equal(cancelled!.attempts, 1);
      }
    } finally {
      await done();
    }
  },

  async "callbacks: onFailure per attempt, onDead once, the engine's too; a throwing one is counted"(
    ctx,
  ) {
    const calls: string[] = [];
    const fn = define({
      name: "noisy",
      payload: Empty,
      retry: { attempts: 2, backoff: fixed(0) },
      onFailure: (_, error) => void calls.push(`fn failure: ${error.message}`),
      onDead: (j) => void calls.push(`fn dead ${j.state} ${j.history.length}`),
    }, fail);
    const quick = define({ name: "quick", payload: Empty }, () => "ok");
    let id = "";
    const { engine, done } = await rig(ctx, [fn, quick], {
      onFailure: () => {
        throw new Error("a broken callback");
      },
      onDead: (j) => Promise.resolve().then(() => void calls.push(`engine dead ${j.id === id}`)),
    });
    try {
      id = await engine.enqueue(fn, {});
      await until(() => Promise.resolve(calls.length), (n) => n === 4);
      assert.deepEqual(calls.filter((c) => c.startsWith("fn failure")), [
        "fn failure: always fails",
        "fn failure: always fails",
      ]);
      // the dead callbacks come last, the function's before the engine's
      assert.deepEqual(calls.slice(2), ["fn dead dead 2", "engine dead true"]);
      await until(
        () => Promise.resolve(engine.alertStats().callbacks.callbackErrors),
        (n) => n === 2,
      );
      const after = await engine.enqueue(quick, {});
      await until(() => job(engine, after), (j) => j?.state === "completed");
    } finally {
      await done();
    }
  },

  async "webhook: the receiver gets a correctly signed event for a dead job"(ctx) {
    const secret = "s3cr3t";
    const received: { headers: Headers; body: string }[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      received.push({ headers: req.headers, body: await req.text() });
      return new Response("ok");
    });
    const fn = define({ name: "doomed", payload: Empty, attempts: 1 }, fail);
    const url = `http://127.0.0.1:${server.addr.port}/hooks`;
    const { engine, done } = await rig(ctx, [fn], { webhook: { url, secret } });
    try {
      const id = await engine.enqueue(fn, {});
      await until(() => Promise.resolve(received.length), (n) => n === 1);
      const [{ headers, body }] = received as [{ headers: Headers; body: string }];
      const signature = headers.get("x-sluice-signature");
      assert.ok(await verifyWebhookSignature(secret, body, signature));
      assert.equal(await verifyWebhookSignature("other", body, signature), false);
      assert.equal(await verifyWebhookSignature(secret, body + " ", signature), false);
      const event = JSON.parse(body);
      assert.equal(headers.get("x-sluice-event"), "job.dead");
      assert.equal(headers.get("x-sluice-delivery"), event.id);
      assert.equal(event.type, "job.dead");
      assert.equal(event.job.id, id);
      assert.equal(event.job.state, "dead");
      assert.equal(event.job.error.message, "always fails");
      assert.equal(event.job.history.length, 1);
      assert.equal("payload" in event.job, false);
      await until(() => Promise.resolve(engine.alertStats().webhook!.delivered), (n) => n === 1);
    } finally {
      await done();
      await server.shutdown();
    }
  },

  async "webhook: a receiver that hangs does not slow job processing"(ctx) {
    const release = Promise.withResolvers<void>();
    let requests = 0;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
      requests++;
      await release.promise;
      return new Response("late");
    });
    const doomed = define({ name: "doomed", payload: Empty, attempts: 1 }, fail);
    const quick = define({ name: "quick", payload: Empty }, () => "ok");
    const url = `http://127.0.0.1:${server.addr.port}/`;
    const { engine, done } = await rig(ctx, [doomed, quick], {
      webhook: { url, secret: "x", timeoutMs: 60_000 },
    });
    try {
      const ids = await engine.enqueueBulk(
        Array.from({ length: 40 }, (_, i) => ({ job: i % 2 ? quick : doomed, payload: {} })),
      );
      await until(
        () => Promise.all(ids.map((id) => job(engine, id))),
        (jobs) => jobs.every((j) => j?.state === "dead" || j?.state === "completed"),
      );
      await until(() => Promise.resolve(requests), (n) => n >= 1);
      assert.equal(engine.alertStats().webhook!.delivered, 0, "the receiver never answered");
    } finally {
      await done();
      release.resolve();
      await server.shutdown();
    }
  },

  async "a node that dies mid-attempt never gets a job more than its attempts"(ctx) {
    let runs = 0;
    const stuck = define({ name: "stuck", payload: Empty, attempts: 2 }, () => {
      runs++;
      return forever();
    });
    const { engine, done } = await rig(ctx, [stuck], { cancelGraceMs: 10 }, { leaseMs: 60_000 });
    try {
      const id = await engine.enqueue(stuck, {});
      for (const attempt of [1, 2]) {
        await until(() => job(engine, id), (j) => j?.state === "active" && j.attempts === attempt);
        ctx.clock.advance(60_000); // the node stops renewing: as if it died
        await engine.store.reclaimExpired();
      }
      const dead = await until(() => job(engine, id), (j) => j?.state === "dead");
      assert.equal(runs, 2);
      assert.equal(dead!.attempts, 2);
      assert.deepEqual(dead!.history.map((h) => h.outcome), ["stalled", "stalled"]);
      assert.equal(dead!.error!.name, "StalledError");
    } finally {
      await done();
    }
  },
};
