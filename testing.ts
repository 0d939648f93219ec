/**
 * The Sluice testing kit: test job functions with `deno test`, on the memory store, with a
 * manual clock and no background timers, so tests are fast, deterministic and pass Deno's leak
 * sanitizers.
 *
 * - `createTestEngine({ functions, clock? })`: an engine on a fresh memory store; `engine.clock`
 *   is a `ManualClock` that moves delayed jobs, retry backoffs, rate limits and cron schedules.
 * - `runJob(fn, payload, options?)`: one handler run with a real `JobContext`; its result, or
 *   its error thrown.
 * - `drain(engine, { queue?, advanceTime?, isolates? })`: runs every due job to the end
 *   (retries, dependents, follow-ups, cron ticks), moving the clock when asked; returns the
 *   attempts it ran, in order.
 * - `assertEnqueued`, `refuteEnqueued`, `allEnqueued`: what waits to run, with messages that
 *   show the nearest jobs when nothing matches.
 *
 * @example Test a function end to end
 * ```ts
 * import { z } from "zod";
 * import { define, exponential } from "./mod.ts";
 * import { assertEnqueued, createTestEngine, drain } from "./testing.ts";
 *
 * const Charge = define(
 *   {
 *     name: "charge",
 *     payload: z.object({ order: z.string() }),
 *     retry: { attempts: 4, backoff: exponential(1_000) },
 *   },
 *   (_payload, ctx) => {
 *     if (ctx.attempt < 4) throw new Error("gateway timeout");
 *     return { charged: true };
 *   },
 * );
 *
 * await using engine = await createTestEngine({ functions: [Charge] });
 * await engine.enqueue(Charge, { order: "o-1" });
 * await assertEnqueued(engine, { job: Charge, payload: { order: "o-1" } });
 * const ran = await drain(engine, { advanceTime: true }); // through three backoffs
 * console.log(ran.map((r) => `${r.attempt}:${r.outcome}`)); // ["1:failed", ..., "4:completed"]
 * ```
 *
 * @module
 */
export { createTestEngine, TestEngine, type TestEngineOptions } from "./src/testing/test_engine.ts";
export { DEFAULT_DRAIN_LIMIT, drain, type DrainOptions } from "./src/testing/drain.ts";
export { type DrainedAttempt, TEST_WORKER_ID } from "./src/testing/step_worker.ts";
export { type PrerequisiteStub, runJob, type RunJobOptions } from "./src/testing/run_job.ts";
export {
  allEnqueued,
  assertEnqueued,
  ENQUEUED_STATES,
  EnqueuedAssertionError,
  refuteEnqueued,
} from "./src/testing/enqueued.ts";
export type { EnqueuedFilter } from "./src/testing/enqueued_filter.ts";
export type { PayloadMatch } from "./src/testing/payload_match.ts";
export { ManualClock } from "./src/job/clock.ts";
