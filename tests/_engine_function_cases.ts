/**
 * Engine cases of the function-files issue (mixed encodings, payload versions, events, follow-up
 * jobs, result schemas, size limits), run against every store by the store test runners.
 *
 * @module
 */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  BulkItemError,
  createEngine,
  define,
  type Engine,
  type EngineOptions,
  type JobDefinition,
  PayloadTooLargeError,
  PayloadValidationError,
  silentLogger,
} from "../mod.ts";
import { MAX_VERSION_HANDBACKS, VERSION_HANDBACK_DELAY_MS } from "../src/registry/versions.ts";
import { ENVELOPE_MAGIC } from "../src/codec/envelope.ts";
import type { CaseContext, ConformanceCases } from "../src/store/_conformance.ts";
import { until } from "./_engine_conformance.ts";

const Text = z.object({ text: z.string() });
const echo = ({ text }: { text: string }) => ({ echoed: text });

const EchoDefault = define({ name: "echo-default", payload: Text, queue: "mixed" }, echo);
const EchoPacked = define(
  { name: "echo-packed", payload: Text, queue: "mixed", codec: "msgpack", compression: "gzip" },
  echo,
);
const EchoRich = define(
  {
    name: "echo-rich",
    payload: z.object({ tags: z.map(z.string(), z.date()) }),
    queue: "mixed",
    codec: "structured",
    compression: "brotli",
  },
  ({ tags }) => ({ count: tags.size, tags }),
);

async function engineOn(
  ctx: CaseContext,
  functions: JobDefinition[],
  options: Partial<EngineOptions> = {},
): Promise<Engine> {
  const store = await ctx.store();
  return createEngine({ store, clock: ctx.clock, logger: silentLogger, functions, ...options });
}

/** Engines sharing the first one's store (producers and workers of different deploys). */
function sibling(
  engine: Engine,
  ctx: CaseContext,
  functions: JobDefinition[],
  options: Partial<EngineOptions> = {},
): Engine {
  return createEngine({
    store: engine.store,
    clock: ctx.clock,
    logger: silentLogger,
    functions,
    ...options,
  });
}

async function settled(engine: Engine, id: string) {
  return (await until(
    () => engine.getJob(id),
    (j) => j?.state === "completed" || j?.state === "dead",
  ))!;
}

/** The cases. */
export const FUNCTION_CASES: ConformanceCases = {
  async "functions: mixed encodings in one queue are all processed"(ctx) {
    const worker = await engineOn(ctx, [EchoDefault, EchoPacked, EchoRich]);
    const packer = sibling(worker, ctx, [EchoDefault], {
      codec: "msgpack",
      compression: "zstd",
      compressionThreshold: 0,
    });
    const long = "ünïcode ".repeat(500);
    const tags = new Map(
      Array.from({ length: 100 }, (_, i) => [`tag-${i}`, new Date(i * 86_400_000)]),
    );
    const ids = [
      await worker.enqueue(EchoDefault, { text: "plain json" }),
      await packer.enqueue(EchoDefault, { text: long }),
      await worker.enqueue(EchoPacked, { text: long }),
      await worker.enqueue(EchoRich, { tags }),
    ];
    const headers = await Promise.all(ids.map(async (id) => {
      const bytes = (await worker.store.getJob(id))!.payload;
      assert.equal(bytes[0], ENVELOPE_MAGIC);
      return bytes[1];
    }));
    assert.deepEqual(
      headers,
      [0x00, 0x14, 0x11, 0x23],
      "json, msgpack+zstd, msgpack+gzip, structured+brotli",
    );
    const handle = worker.work({ queues: ["mixed"], idlePollMs: 20 });
    try {
      const jobs = await Promise.all(ids.map((id) => settled(worker, id)));
      assert.deepEqual(jobs.map((j) => j.state), [
        "completed",
        "completed",
        "completed",
        "completed",
      ]);
      assert.deepEqual(jobs[0]!.result, { echoed: "plain json" });
      assert.deepEqual(jobs[1]!.result, { echoed: long });
      assert.deepEqual(jobs[2]!.result, { echoed: long });
      assert.deepEqual(jobs[2]!.payload, { text: long });
      assert.deepEqual(
        jobs[3]!.result,
        { count: 100, tags },
        "structured results keep Map and Date",
      );
      assert.deepEqual(jobs[3]!.payload, { tags });
    } finally {
      await handle.stop();
      await packer.close();
      await worker.close();
    }
  },

  async "functions: a v1 job runs under v3 code after migration"(ctx) {
    const GreetV1 = define(
      { name: "greet", payload: z.object({ name: z.string() }), queue: "greet" },
      ({ name }) => `Hi ${name}`,
    );
    const GreetV3 = define(
      {
        name: "greet",
        queue: "greet",
        version: 3,
        payload: z.object({ first: z.string(), last: z.string(), greeting: z.string() }),
        migrations: {
          1: ({ name }: { name: string }) => {
            const [first = "", ...rest] = name.split(" ");
            return { first, last: rest.join(" ") };
          },
          2: (v2: { first: string; last: string }) => ({ ...v2, greeting: "Hello" }),
        },
      },
      ({ first, last, greeting }) => `${greeting} ${last}, ${first}`,
    );
    const oldCode = await engineOn(ctx, [GreetV1]);
    const newCode = sibling(oldCode, ctx, [GreetV3]);
    const v1 = await oldCode.enqueue(GreetV1, { name: "Ada Lovelace" });
    const v3 = await newCode.enqueue(GreetV3, { first: "Alan", last: "Turing", greeting: "Hey" });
    const handle = newCode.work({ idlePollMs: 20 });
    try {
      assert.equal((await settled(newCode, v1)).result, "Hello Lovelace, Ada");
      assert.equal((await settled(newCode, v3)).result, "Hey Turing, Alan");
      const stored = await newCode.getJob(v1);
      assert.deepEqual(
        stored!.payload,
        { name: "Ada Lovelace" },
        "the stored payload is unchanged",
      );
    } finally {
      await handle.stop();
      await newCode.close();
      await oldCode.close();
    }
  },

  async "functions: a payload that cannot be migrated or run is dead-lettered at once"(ctx) {
    const V1 = define({ name: "m", payload: z.object({ n: z.number() }), queue: "m" }, () => 1);
    const V2 = define({
      name: "m",
      queue: "m",
      version: 2,
      payload: z.object({ n: z.number() }),
      migrations: {
        1: () => {
          throw new Error("no way back");
        },
      },
    }, () => 2);
    const BadResult = define(
      {
        name: "bad-result",
        payload: z.object({}),
        queue: "m",
        result: z.object({ ok: z.literal(true) }),
      },
      () => ({ ok: false }),
    );
    const producer = await engineOn(ctx, [V1, BadResult]);
    const worker = sibling(producer, ctx, [V2, BadResult]);
    const migrated = await producer.enqueue(V1, { n: 1 });
    const bad = await producer.enqueue(BadResult, {});
    const handle = worker.work({ idlePollMs: 20 });
    try {
      const m = await settled(worker, migrated);
      assert.equal(m.state, "dead");
      assert.equal(m.attempts, 1, "not retried");
      assert.equal(m.error!.name, "PayloadMigrationError");
      assert.match(
        m.error!.message,
        /"m": migrating the payload from v1 to v2 failed: no way back/,
      );
      const r = await settled(worker, bad);
      assert.equal(r.state, "dead");
      assert.equal(r.attempts, 1, "not retried");
      assert.equal(r.error!.name, "ResultValidationError");
      assert.match(r.error!.message, /invalid result from "bad-result": ok: /);
    } finally {
      await handle.stop();
      await worker.close();
      await producer.close();
    }
  },

  async "functions: a too-new job is handed back, then dead-lettered with its reason"(ctx) {
    const payload = z.object({ n: z.number() });
    const V1 = define({ name: "report", payload, queue: "reports" }, () => "v1 ran it");
    const V2 = define(
      {
        name: "report",
        payload,
        queue: "reports",
        version: 2,
        migrations: { 1: (p: unknown) => p },
      },
      () => "v2 ran it",
    );
    const newCode = await engineOn(ctx, [V2]);
    const oldCode = sibling(newCode, ctx, [V1]);
    const id = await newCode.enqueue(V2, { n: 1 });
    const handle = oldCode.work({ idlePollMs: 10 });
    try {
      for (let releases = 1; releases <= MAX_VERSION_HANDBACKS; releases++) {
        const job = await until(() => newCode.store.getJob(id), (j) => j?.releases === releases);
        assert.equal(job!.state, "delayed", "handed back with a delay");
        assert.equal(job!.runAt, ctx.clock.now() + VERSION_HANDBACK_DELAY_MS);
        assert.equal(job!.attempts, 0, "a hand-back spends no attempt");
        ctx.clock.advance(VERSION_HANDBACK_DELAY_MS);
      }
      const dead = await settled(oldCode, id);
      assert.equal(dead.state, "dead");
      assert.equal(dead.error!.name, "PayloadVersionError");
      assert.match(
        dead.error!.message,
        /payload version 2 of "report" is newer than the running code knows \(v1\); handed back 10 times/,
      );
    } finally {
      await handle.stop();
      await oldCode.close();
      await newCode.close();
    }
  },

  async "functions: emit enqueues one job per listener, each validated, all or none"(ctx) {
    const Welcome = define(
      { name: "welcome", payload: z.object({ email: z.email() }), on: ["user.created"] },
      () => "welcomed",
    );
    const Provision = define(
      {
        name: "provision",
        payload: z.object({ email: z.email(), plan: z.enum(["free", "pro"]) }),
        queue: "infra",
        on: ["user.created", "plan.changed"],
      },
      ({ plan }) => `provisioned ${plan}`,
    );
    const engine = await engineOn(ctx, [Welcome, Provision]);
    try {
      await assert.rejects(
        engine.emit("user.created", { email: "a@example.com" }),
        (error: unknown) => {
          assert.ok(error instanceof PayloadValidationError);
          assert.equal(error.functionName, "provision");
          return true;
        },
      );
      assert.deepEqual(await engine.queues(), [], "nothing stored when one listener refuses");
      const user = { email: "a@example.com", plan: "pro" };
      const ids = await engine.emit("user.created", user, { id: "evt-1", priority: "high" });
      assert.deepEqual(ids, ["evt-1:provision", "evt-1:welcome"]);
      assert.deepEqual(await engine.emit("user.created", user, { id: "evt-1" }), ids, "idempotent");
      assert.equal((await engine.getJob("evt-1:welcome"))!.priority, "high");
      assert.equal((await engine.counts("default")).states.waiting, 1);
      assert.equal((await engine.counts("infra")).states.waiting, 1);
      assert.equal((await engine.emit("plan.changed", user)).length, 1);
      assert.deepEqual(await engine.emit("nobody.listens", {}), []);
      await assert.rejects(engine.emit("bad event", {}), /emit: invalid event name "bad event"/);
    } finally {
      await engine.close();
    }
  },

  async "functions: ctx.enqueue runs follow-ups, ctx.progress reports progress"(ctx) {
    const Child = define(
      { name: "child", payload: z.object({ n: z.number() }), queue: "tree" },
      ({ n }) => n * 10,
    );
    const Parent = define(
      { name: "parent", payload: z.object({ n: z.number() }), queue: "tree" },
      async ({ n }, job) => {
        job.progress(50, "half way");
        const child = await job.enqueue(Child, { n: n + 1 });
        job.progress(100);
        return { child };
      },
    );
    const engine = await engineOn(ctx, [Parent, Child]);
    const progress: [number, string | undefined][] = [];
    engine.on("progress", (e) => progress.push([e.percent, e.message]));
    const handle = engine.work({ idlePollMs: 20 });
    try {
      const parent = await settled(engine, await engine.enqueue(Parent, { n: 1 }));
      const { child } = parent.result as { child: string };
      assert.equal((await settled(engine, child)).result, 20);
      assert.deepEqual(progress, [[50, "half way"], [100, undefined]]);
    } finally {
      await handle.stop();
      await engine.close();
    }
  },

  async "functions: payloads above the size limit are refused, nothing stored"(ctx) {
    const engine = await engineOn(ctx, [EchoDefault], { maxPayloadBytes: 1_000 });
    try {
      await assert.rejects(
        engine.enqueue(EchoDefault, { text: "x".repeat(2_000) }),
        PayloadTooLargeError,
      );
      await assert.rejects(
        engine.enqueueBulk([
          { job: EchoDefault, payload: { text: "ok" } },
          { job: "echo-default", payload: { text: "x".repeat(2_000) } },
        ]),
        (error: unknown) =>
          error instanceof BulkItemError && error.index === 1 &&
          error.cause instanceof PayloadTooLargeError,
      );
      assert.deepEqual(await engine.queues(), []);
      await engine.enqueue(EchoDefault, { text: "x".repeat(900) });
      assert.equal((await engine.counts("mixed")).states.waiting, 1);
    } finally {
      await engine.close();
    }
  },
};
