import assert from "node:assert/strict";
import { PayloadEncoder, resolveEncodingDefaults } from "../src/codec/payload_encoder.ts";
import type { Logger } from "../src/job/logger.ts";
import type { JobDefinition } from "../src/registry/definition.ts";
import { definitionOf } from "../src/registry/job_decorator.ts";
import {
  type IsolateOutcome,
  IsolatePool,
  type IsolatePoolOptions,
  type IsolateRunJob,
} from "../src/worker/isolate_pool.ts";
import { CloseSelf, CrashLater } from "./fixtures/isolate_functions/crash.ts";
import {
  Echo,
  Enqueuer,
  Flaky,
  Sleepy,
  WaitForAbort,
} from "./fixtures/isolate_functions/normal.ts";
import { Spin, SpinFor } from "./fixtures/isolate_functions/spin.ts";
import { Hopeless } from "./fixtures/isolate_functions/unrecoverable.ts";

const FIXTURES = new URL("./fixtures/isolate_functions/", import.meta.url);
const FILES = ["normal.ts", "spin.ts", "unrecoverable.ts", "crash.ts"].map((f) =>
  new URL(f, FIXTURES).href
);
const encoder = new PayloadEncoder(resolveEncodingDefaults());
let nextId = 1;

/** A job of `fn` with `payload`, encoded the way the engine stores it. */
function job(fn: JobDefinition | object, payload: unknown = {}): IsolateRunJob {
  const definition = definitionOf(fn)!;
  return {
    id: `job-${nextId++}`,
    name: definition.name,
    queue: "default",
    lane: "normal",
    attempt: 1,
    maxAttempts: 3,
    scheduledAt: 0,
    prerequisites: [],
    payload: encoder.encodePayload(definition, payload),
  };
}

function resultOf(outcome: IsolateOutcome): unknown {
  assert.equal(outcome.kind, "completed", JSON.stringify(outcome));
  const { result } = outcome as Extract<IsolateOutcome, { kind: "completed" }>;
  return result === null ? undefined : encoder.decode(result).value;
}

function failureOf(outcome: IsolateOutcome): Extract<IsolateOutcome, { kind: "failed" }> {
  assert.equal(outcome.kind, "failed", JSON.stringify(outcome));
  return outcome as Extract<IsolateOutcome, { kind: "failed" }>;
}

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, fields });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Starts a pool on the fixture files; the caller closes it. */
async function startPool(
  options: Partial<IsolatePoolOptions> = {},
): Promise<{ pool: IsolatePool; logger: ReturnType<typeof recordingLogger> }> {
  const logger = recordingLogger();
  const pool = new IsolatePool({ modules: FILES, logger, abortGraceMs: 200, ...options });
  await pool.start();
  return { pool, logger };
}

/** Resolves once `pool` has `n` free slots (its replacement isolates are up). */
function slotsFree(pool: IsolatePool, n: number): Promise<void> {
  if (pool.freeSlots() >= n) return Promise.resolve();
  return new Promise((resolve) => {
    const off = pool.onSlotFree(() => {
      if (pool.freeSlots() < n) return;
      off();
      resolve();
    });
  });
}

Deno.test("isolate pool: a job runs in an isolate and its encoded result comes back", async () => {
  const progress: [string, number, string | undefined][] = [];
  const { pool, logger } = await startPool({
    size: 1,
    onProgress: (job, percent, message) => progress.push([job.id, percent, message]),
  });
  try {
    assert.deepEqual(
      [...pool.functions].sort(),
      [
        "close-self",
        "crash-later",
        "echo",
        "enqueuer",
        "flaky",
        "hopeless",
        "sleepy",
        "spin",
        "spin-for",
        "wait-for-abort",
      ],
    );
    const echo = job(Echo, { text: "hello" });
    const outcome = await pool.run(echo).outcome;
    assert.deepEqual(resultOf(outcome), { echo: "hello", attempt: 1 });
    assert.deepEqual(progress, [[echo.id, 50, "half way"]]);
    assert.deepEqual(logger.lines.find((l) => l.message === "echoing"), {
      level: "info",
      message: "echoing",
      fields: { job: echo.id, fn: "echo", text: "hello" },
    });
    assert.equal(echo.payload.byteLength > 0, true, "the caller's payload bytes stay usable");
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: a generated manifest module loads the same functions", async () => {
  const { pool } = await startPool({
    modules: [new URL("_manifest.gen.ts", FIXTURES)],
    size: 1,
  });
  try {
    assert.equal(pool.functions.includes("read-file"), true);
    assert.deepEqual(resultOf(await pool.run(job(Echo, { text: "m" })).outcome), {
      echo: "m",
      attempt: 1,
    });
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: a module that cannot load makes start() reject", async () => {
  const pool = new IsolatePool({
    modules: [new URL("does_not_exist.ts", FIXTURES)],
    size: 2,
    logger: recordingLogger(),
  });
  await assert.rejects(pool.start(), /could not load the function modules/);
  assert.deepEqual(pool.stats(), { isolates: 0, running: 0, queued: 0 });
});

Deno.test("isolate pool: failures keep their name and say whether to retry", async () => {
  const { pool } = await startPool({ size: 1 });
  try {
    const hopeless = failureOf(await pool.run(job(Hopeless)).outcome);
    assert.equal(hopeless.error.name, "UnrecoverableError");
    assert.equal(hopeless.error.message, "this job can never succeed");
    assert.match(hopeless.error.stack ?? "", /unrecoverable\.ts/);
    assert.equal(hopeless.retryable, false);

    const flaky = failureOf(await pool.run(job(Flaky)).outcome);
    assert.deepEqual([flaky.error.name, flaky.retryable], ["Error", true]);

    const invalid = failureOf(await pool.run(job(Echo, { text: 42 })).outcome);
    assert.deepEqual([invalid.error.name, invalid.retryable], ["PayloadValidationError", false]);

    const unknown = failureOf(await pool.run({ ...job(Echo, {}), name: "nope" }).outcome);
    assert.deepEqual([unknown.error.name, unknown.retryable], ["UnknownFunctionError", true]);
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: a payload newer than the code is reported for hand-back", async () => {
  const { pool } = await startPool({ size: 1 });
  try {
    const newer = { ...Echo, version: 3 } as JobDefinition;
    const outcome = await pool.run({
      ...job(Echo),
      payload: encoder.encodePayload(newer, { text: "v3" }),
    }).outcome;
    assert.deepEqual(outcome, { kind: "too-new", version: 3, known: 1 });
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: ctx.snooze comes back as a snooze with its delay", async () => {
  const { pool } = await startPool({ size: 1 });
  try {
    assert.deepEqual(await pool.run(job(Sleepy)).outcome, {
      kind: "handed-back",
      delayMs: 250,
      throttle: false,
    });
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: abort() reaches the handler's ctx.signal with its reason", async () => {
  const { pool } = await startPool({ size: 1 });
  try {
    const run = pool.run(job(WaitForAbort));
    run.abort(new DOMException("job cancelled", "AbortError"));
    const failure = failureOf(await run.outcome);
    assert.deepEqual([failure.error.name, failure.error.message], ["AbortError", "job cancelled"]);

    const running = pool.run(job(WaitForAbort));
    // once a job posted after it completes, the isolate has surely started it
    await pool.run(job(Echo, { text: "x" })).outcome;
    running.abort(new Error("lease lost"));
    const lost = failureOf(await running.outcome);
    assert.deepEqual([lost.error.name, lost.error.message], ["Error", "lease lost"]);
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: an endless loop is stopped by its timeout; the rest keep running", async () => {
  const { pool, logger } = await startPool({ size: 2, slotsPerIsolate: 1 });
  try {
    let spinSettled = false;
    const spin = pool.run(job(Spin), { timeoutMs: 500 }).outcome.then((outcome) => {
      spinSettled = true;
      return outcome;
    });
    let completedMeanwhile = 0;
    while (!spinSettled) {
      const outcome = await pool.run(job(Echo, { text: "meanwhile" })).outcome;
      assert.equal(resultOf(outcome) !== undefined, true);
      if (!spinSettled) completedMeanwhile++;
    }
    assert.equal(completedMeanwhile >= 1, true, "the other isolate kept completing jobs");
    const timedOut = failureOf(await spin);
    assert.equal(timedOut.error.name, "TimeoutError");
    assert.match(timedOut.error.message, /ran past its timeout of 500 ms.*terminated/);
    assert.equal(timedOut.retryable, true);
    assert.equal(logger.lines.some((l) => l.message === "isolate terminated; replacing it"), true);

    await slotsFree(pool, 2); // the replacement is up
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((i) => pool.run(job(Echo, { text: `after ${i}` })).outcome),
    );
    assert.deepEqual(outcomes.map((o) => o.kind), [
      "completed",
      "completed",
      "completed",
      "completed",
    ]);
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: a spinning job's neighbours in its isolate fail with it", async () => {
  const { pool } = await startPool({ size: 1, slotsPerIsolate: 2 });
  try {
    const neighbour = pool.run(job(WaitForAbort)).outcome;
    const spin = pool.run(job(Spin), { timeoutMs: 300 }).outcome;
    assert.equal(failureOf(await spin).error.name, "TimeoutError");
    const lost = failureOf(await neighbour);
    assert.equal(lost.error.name, "IsolateCrashedError");
    assert.match(lost.error.message, /ran past its timeout/);
    await slotsFree(pool, 2);
    assert.equal((await pool.run(job(Echo, { text: "again" })).outcome).kind, "completed");
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: a handler that stops on its signal at the timeout keeps its isolate", async () => {
  const { pool, logger } = await startPool({ size: 1 });
  try {
    const outcome = failureOf(await pool.run(job(WaitForAbort), { timeoutMs: 100 }).outcome);
    assert.equal(outcome.error.name, "TimeoutError");
    assert.match(outcome.error.message, /stopped on its abort signal/);
    assert.equal(logger.lines.some((l) => l.message === "isolate terminated; replacing it"), false);
    assert.equal((await pool.run(job(Echo, { text: "same isolate" })).outcome).kind, "completed");
  } finally {
    await pool.close();
  }
});

for (
  const [what, fn, cause] of [
    ["an uncaught error", CrashLater, /kaboom from a timer/],
    ["self.close()", CloseSelf, /closed itself \(self\.close\(\)\)/],
  ] as const
) {
  Deno.test(`isolate pool: ${what} fails only that isolate's jobs; the pool recovers`, async () => {
    const { pool, logger } = await startPool({ size: 2, slotsPerIsolate: 1 });
    try {
      const other = pool.run(job(WaitForAbort)); // takes one isolate
      const crash = failureOf(await pool.run(job(fn)).outcome); // takes the other
      assert.equal(crash.error.name, "IsolateCrashedError");
      assert.match(crash.error.message, cause);
      assert.equal(crash.retryable, true);
      assert.equal(
        logger.lines.some((l) => l.level === "error" && cause.test(`${l.fields?.reason}`)),
        true,
      );

      other.abort(new Error("still alive?")); // the other isolate was untouched
      assert.equal(failureOf(await other.outcome).error.message, "still alive?");

      await slotsFree(pool, 2);
      const outcomes = await Promise.all(
        [1, 2].map((i) => pool.run(job(Echo, { text: `${i}` })).outcome),
      );
      assert.deepEqual(outcomes.map((o) => o.kind), ["completed", "completed"]);
    } finally {
      await pool.close();
    }
  });
}

Deno.test("isolate pool: ctx.enqueue goes through the pool's enqueue hook", async () => {
  const calls: unknown[] = [];
  const { pool } = await startPool({
    size: 1,
    enqueue: (name, payload) => {
      calls.push([name, payload]);
      return Promise.resolve("follow-up-1");
    },
  });
  try {
    const outcome = await pool.run(job(Enqueuer, { text: "next" })).outcome;
    assert.deepEqual(resultOf(outcome), { followUp: "follow-up-1" });
    assert.deepEqual(calls, [["echo", { text: "next" }]]);
  } finally {
    await pool.close();
  }
  const { pool: bare } = await startPool({ size: 1 });
  try {
    const failure = failureOf(await bare.run(job(Enqueuer, { text: "next" })).outcome);
    assert.equal(failure.error.name, "NotSupportedError");
  } finally {
    await bare.close();
  }
});

Deno.test("isolate pool: free slots drive fetching (pull model)", async () => {
  const { pool } = await startPool({ size: 2, slotsPerIsolate: 2 });
  try {
    assert.equal(pool.freeSlots(), 4);
    const runs = [1, 2, 3].map(() => pool.run(job(WaitForAbort)));
    assert.equal(pool.freeSlots(), 1);
    let freed = 0;
    pool.onSlotFree(() => freed++);
    runs[0]!.abort();
    await runs[0]!.outcome;
    assert.equal(freed >= 1, true);
    assert.equal(pool.freeSlots(), 2);
    // more runs than slots queue up and start as slots free
    const extra = [1, 2, 3].map(() => pool.run(job(Echo, { text: "q" })));
    assert.equal(pool.freeSlots(), 0);
    for (const r of runs.slice(1)) r.abort();
    const outcomes = await Promise.all(extra.map((r) => r.outcome));
    assert.deepEqual(outcomes.map((o) => o.kind), ["completed", "completed", "completed"]);
  } finally {
    await pool.close();
  }
});

Deno.test("isolate pool: the main thread keeps ticking while an isolate spins", async () => {
  const { pool } = await startPool({ size: 1 });
  let ticks = 0;
  const interval = setInterval(() => ticks++, 10);
  try {
    const outcome = await pool.run(job(SpinFor, { ms: 1_000 })).outcome;
    assert.deepEqual(resultOf(outcome), { spun: 1_000 });
    assert.equal(ticks >= 10, true, `only ${ticks} ticks during a 1 s spin`);
  } finally {
    clearInterval(interval);
    await pool.close();
  }
});

Deno.test("isolate pool: close() interrupts queued and running jobs and terminates isolates", async () => {
  const { pool } = await startPool({ size: 1, slotsPerIsolate: 2 });
  const stops = pool.run(job(WaitForAbort)); // stops on its signal
  const spins = pool.run(job(Spin)); // never stops: terminated
  const queued = pool.run(job(Echo, { text: "never started" }));
  assert.deepEqual(pool.stats(), { isolates: 1, running: 2, queued: 1 });
  await pool.close({ graceMs: 200 });
  assert.deepEqual(pool.stats(), { isolates: 0, running: 0, queued: 0 });
  assert.deepEqual(await stops.outcome, { kind: "interrupted" });
  assert.deepEqual(await spins.outcome, { kind: "interrupted" });
  assert.deepEqual(await queued.outcome, { kind: "interrupted" });
  assert.deepEqual(await pool.run(job(Echo, { text: "late" })).outcome, { kind: "interrupted" });
  assert.equal(pool.freeSlots(), 0);
});

const denoRun = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state;

Deno.test({
  name: "isolate pool: a permission set limits the jobs, not the loading of their code",
  ignore: denoRun !== "granted",
  async fn() {
    const probe = new URL("_permissions_probe.ts", FIXTURES).pathname;
    const target = new URL("normal.ts", FIXTURES).pathname;
    const runProbe = async (permissions: unknown) => {
      const { stdout, code } = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--unstable-worker-options",
          probe,
          JSON.stringify(permissions),
          target,
        ],
        stderr: "inherit",
      }).output();
      assert.equal(code, 0);
      return JSON.parse(new TextDecoder().decode(stdout));
    };
    assert.deepEqual(await runProbe("none"), { started: true, result: { read: "NotCapable" } });
    assert.deepEqual(await runProbe({ env: true }), {
      started: true,
      result: { read: "NotCapable" },
    });
    assert.deepEqual(await runProbe({ read: [target] }), { started: true, result: { read: "ok" } });
    assert.deepEqual(await runProbe("inherit"), { started: true, result: { read: "ok" } });
  },
});

if (denoRun !== "granted") {
  console.warn(
    "isolate_pool_test: skipped the permission-set test: it runs a child `deno` with " +
      "--unstable-worker-options and needs run permission for the deno binary",
  );
}
