/**
 * `runJob`: one attempt of one function's handler, outside any queue, with a real `JobContext`,
 * through the worker's own attempt pipeline (`worker/run_job.ts`): the payload validated and
 * encoded as `enqueue` does, decoded and validated again as a worker does, the handler run under
 * its timeout, its result validated against the function's result schema and encoded. Returns
 * the result as stored, or throws the error the attempt ended with.
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import { engineInternals } from "../engine/internals.ts";
import type { Lane } from "../job/lanes.ts";
import type { Logger } from "../job/logger.ts";
import type { PrerequisiteResult } from "../job/dependencies.ts";
import type { JobDefinition } from "../registry/definition.ts";
import { definitionOf } from "../registry/job_decorator.ts";
import type { Enqueue, JobClass, JobRef, PayloadOf, ResultOf } from "../registry/job_ref.ts";
import { runJob as runAttempt } from "../worker/run_job.ts";
import { AttemptAbort } from "../worker/attempt_abort.ts";
import type { WorkerRuntime } from "../worker/runtime.ts";
import { TEST_WORKER_ID } from "./step_worker.ts";
import { createTestEngine, TestEngine } from "./test_engine.ts";

/** A prerequisite as the handler should see it (`ctx.prerequisites`, `ctx.resultsOf`). */
export interface PrerequisiteStub {
  /** Its function: a definition, a `@job` class or a name. */
  job: JobRef;
  /** Its result (default null). */
  result?: unknown;
  /** Its state (default `completed`; `dead` or `cancelled` as policy `skip` lets them through). */
  state?: "completed" | "dead" | "cancelled";
  /** Its job id (default `prerequisite-<n>`, n counting from 1). */
  id?: string;
}

/** Options of `runJob`. */
export interface RunJobOptions {
  /** Which attempt it is (`ctx.attempt`; default 1): a retry's handler sees 2, 3... */
  attempt?: number;
  /** Attempts allowed in all (`ctx.maxAttempts`; default the function's, at least `attempt`). */
  maxAttempts?: number;
  /** When the job was due (`ctx.scheduledAt`, e.g. a cron tick's time; default the clock's now). */
  scheduledAt?: Date | number;
  /** Its prerequisites, with their results (default none). */
  prerequisites?: readonly PrerequisiteStub[];
  /** Aborts `ctx.signal` (as a cancellation does) when it aborts. */
  signal?: AbortSignal;
  /**
   * Where `ctx.enqueue` sends follow-up jobs (and, for a test engine, whose clock the attempt
   * reads): pass a test engine to assert on them (`assertEnqueued`). Default: a private engine,
   * discarded after.
   */
  engine?: Engine;
  /** Hears `ctx.progress(percent, message)`. */
  onProgress?: (percent: number, message?: string) => void;
  /** Its job id (`ctx.id`; default a fresh one). */
  id?: string;
  /** Its queue (`ctx.queue`; default the function's). */
  queue?: string;
  /** Its lane (`ctx.lane`; default the function's). */
  priority?: Lane;
  /** Where job log lines (`ctx.log`) and notes go (default: warnings and errors to the console). */
  logger?: Logger;
}

/**
 * Runs one attempt of `fn`'s handler with `payload` and a real `JobContext`, and returns its
 * result as the store would keep it (through the function's codec and result schema), or throws
 * what the attempt threw: the handler's own error (`UnrecoverableError`, `SnoozeError` from
 * `ctx.snooze`, `RateLimitError` from `ctx.rateLimit`...), a `PayloadValidationError` for a
 * payload the schema refuses, a `ResultValidationError`, or a `TimeoutError`. Handlers run on
 * the main thread.
 *
 * @example Test a handler
 * ```ts
 * import { z } from "zod";
 * import { define } from "./mod.ts";
 * import { runJob } from "./testing.ts";
 *
 * const Greet = define(
 *   { name: "greet", payload: z.object({ name: z.string() }) },
 *   ({ name }, ctx) => `hello ${name}, attempt ${ctx.attempt}`,
 * );
 * console.log(await runJob(Greet, { name: "Ada" }, { attempt: 2 })); // "hello Ada, attempt 2"
 * ```
 */
// deno-lint-ignore no-explicit-any
export async function runJob<D extends JobDefinition<any, any> | JobClass>(
  fn: D,
  payload: PayloadOf<D>,
  options: RunJobOptions = {},
): Promise<ResultOf<D>> {
  const definition = definitionOf(fn);
  if (!definition) {
    throw new TypeError("runJob: expected a definition made by define() or a @job class");
  }
  const attempt = options.attempt ?? 1;
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw new RangeError(`runJob: attempt must be a whole number >= 1, got ${attempt}`);
  }
  const target = options.engine;
  const clock = target instanceof TestEngine ? target.clock : undefined;
  await using scratch = await createTestEngine({
    functions: [definition],
    ...(clock ? { clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const id = await scratch.enqueue(definition, payload, {
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
  });
  const [reserved] = await scratch.store.reserve({
    worker: TEST_WORKER_ID,
    queues: [(await scratch.store.getJob(id))!.queue],
    count: 1,
    leaseMs: 86_400_000,
  });
  const job = {
    ...reserved!,
    attempt,
    maxAttempts: options.maxAttempts ?? Math.max(reserved!.maxAttempts, attempt),
    runAt: options.scheduledAt === undefined ? reserved!.runAt : +options.scheduledAt,
  };
  if (!(job.maxAttempts >= attempt)) {
    throw new RangeError(`runJob: maxAttempts must be at least attempt (${attempt})`);
  }
  const thrown = { error: undefined as unknown };
  const runtime = attemptRuntime(engineInternals(scratch).runtime, definition, thrown, target);
  if (options.onProgress) {
    const hear = options.onProgress;
    scratch.on("progress", (event) => hear(event.percent, event.message));
  }
  const prerequisites = stubs(options.prerequisites ?? []);
  const { abort, unfollow } = options.signal
    ? AttemptAbort.following(options.signal)
    : { abort: new AttemptAbort(), unfollow: () => {} };
  let outcome;
  try {
    outcome = await runAttempt(runtime, job, abort, prerequisites);
  } finally {
    unfollow();
  }
  switch (outcome.kind) {
    case "completed":
      return (outcome.result === null
        ? undefined
        : runtime.encoder.decode(outcome.result).value) as ResultOf<D>;
    case "failed":
      throw outcome.cause ?? Object.assign(new Error(outcome.error.message), outcome.error);
    default: // released (a snooze, a rate limit) or interrupted: the handler threw it
      throw thrown.error ?? abort.reason;
  }
}

/**
 * The runtime of the attempt: `base` (the scratch engine's), with `definition`'s handler
 * noting what it throws in `thrown`, and `ctx.enqueue` going to `target` when given.
 */
function attemptRuntime(
  base: WorkerRuntime,
  definition: JobDefinition,
  thrown: { error: unknown },
  target: Engine | undefined,
): WorkerRuntime {
  const noting: JobDefinition = {
    ...definition,
    handler: async (payload, ctx) => {
      try {
        return await definition.handler(payload, ctx);
      } catch (error) {
        thrown.error = error;
        throw error;
      }
    },
  };
  return {
    ...base,
    definition: (name) => name === definition.name ? noting : base.definition(name),
    enqueue: target
      ? ((job: JobRef, payload: unknown, opts?: object) =>
        target.enqueue(job as string, payload, opts)) as Enqueue
      : base.enqueue,
  };
}

function stubs(list: readonly PrerequisiteStub[]): PrerequisiteResult[] {
  return list.map((stub, i) => {
    const name = typeof stub.job === "string" ? stub.job : definitionOf(stub.job)?.name;
    if (name === undefined) {
      throw new TypeError(
        "runJob: a prerequisite's job must be a definition, a @job class or a name",
      );
    }
    const state = stub.state ?? "completed";
    return {
      id: stub.id ?? `prerequisite-${i + 1}`,
      name,
      state,
      result: state === "completed" ? stub.result ?? null : null,
    };
  });
}
