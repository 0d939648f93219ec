/**
 * `drain`: runs every due job of a test engine to completion, one attempt at a time, in the
 * order a worker would take them, firing due cron ticks between attempts, and when asked moving
 * the manual clock to each next due time: retries through their backoffs, delayed jobs, rate
 * limits opening, cron ticks. Deterministic: no real-time wait anywhere.
 *
 * @module
 */
import { engineInternals } from "../engine/internals.ts";
import { assertQueueName } from "../job/queue_name.ts";
import type { ManualClock } from "../job/clock.ts";
import { cronLeaderOf, type TestEngine } from "./test_engine.ts";
import type { TestLeader } from "./test_leader.ts";
import { type DrainedAttempt, StepWorker } from "./step_worker.ts";

/** Options of `drain`. */
export interface DrainOptions {
  /** Only jobs of this queue (default: every queue). Cron ticks fire whatever their queue. */
  queue?: string;
  /**
   * Move the engine's clock forward when nothing is due now, to each next due time, so that
   * every job and cron tick runs at its time. `true`: until no job is left waiting for its time
   * (delays, retry backoffs, limits opening); cron ticks on the way run too, but schedules alone
   * do not move the clock (they never end). A number of ms: live through that span, and leave
   * the clock at its end. Default `false`: only what is due now runs.
   */
  advanceTime?: boolean | number;
  /**
   * Run handlers in an isolate (a pool of one, started and closed by this call) that loads the
   * engine's functions folder or manifest, as `engine.work({ isolates: true })` would (default
   * false: on the main thread).
   */
  isolates?: boolean;
  /**
   * Most attempts one call may run (default 10,000); one more throws, naming the job: a job
   * that snoozes or re-enqueues itself forever would otherwise never let `drain` return.
   */
  limit?: number;
}

/** The default of `DrainOptions.limit`. */
export const DEFAULT_DRAIN_LIMIT = 10_000;

/**
 * Runs every due job of `engine` (made by `createTestEngine`) to completion and returns the
 * attempts it ran, in order. Jobs run one at a time through the worker's own attempt pipeline:
 * retries, dependents unblocked by their prerequisites, follow-ups enqueued by handlers, and
 * cron ticks that fall due all run in the same call; failure callbacks and events fire as
 * under a worker. With `advanceTime`, the clock moves on to each next due time (see
 * `DrainOptions`); without it, jobs due later stay (a retry's backoff included).
 *
 * A handler that waits for another job's result (`engine.result`) waits in vain: nothing else
 * runs while it runs.
 *
 * @example A retry drained through its backoff
 * ```ts
 * import { z } from "zod";
 * import { define, fixed } from "./mod.ts";
 * import { createTestEngine, drain } from "./testing.ts";
 *
 * let calls = 0;
 * const Flaky = define(
 *   { name: "flaky", payload: z.object({}), retry: { attempts: 3, backoff: fixed(30_000) } },
 *   () => {
 *     if (++calls < 3) throw new Error("not yet");
 *     return "done";
 *   },
 * );
 * await using engine = await createTestEngine({ functions: [Flaky] });
 * await engine.enqueue(Flaky, {});
 * const ran = await drain(engine, { advanceTime: true });
 * console.log(ran.map((r) => r.outcome)); // ["failed", "failed", "completed"]
 * ```
 */
export async function drain(
  engine: TestEngine,
  options: DrainOptions = {},
): Promise<DrainedAttempt[]> {
  const { clock, leader } = testEngineParts(engine);
  const { store } = engine;
  const { queue, isolates = false, limit = DEFAULT_DRAIN_LIMIT } = checkOptions(options);
  const internals = engineInternals(engine);
  await engine.ready();
  await engine.schedules.storeDefinitions(internals.definitions());
  const horizon = endOfTime(options.advanceTime, clock.now());
  const worker = new StepWorker(internals, isolates);
  const ran: DrainedAttempt[] = [];
  try {
    await worker.start();
    for (;;) {
      const cronIn = await leader.fireDue();
      const queues = queue === undefined ? await store.queues() : [queue];
      const attempt = queues.length === 0 ? null : await worker.runNext(queues);
      if (attempt) {
        if (ran.length === limit) throw overLimit(limit, attempt);
        ran.push(attempt);
        continue;
      }
      const jobsIn = queues.length === 0 ? null : (await store.idleWait(queues, "drain")).dueIn;
      const jobWait = jobsIn !== null && jobsIn > 0 ? jobsIn : null; // 0: due, yet not run (paused)
      // schedules never end: their ticks move the clock only on the way to a job or a horizon
      const cronWait = horizon !== Infinity || jobWait !== null ? cronIn : null;
      const waits = [jobWait, cronWait].filter((ms): ms is number => ms !== null && ms > 0);
      const now = clock.now();
      const next = waits.length > 0 ? now + Math.min(...waits) : null;
      if (next !== null && next <= horizon) clock.set(next);
      else if (horizon !== Infinity && now < horizon) clock.set(horizon);
      else return ran;
    }
  } finally {
    await worker.close();
  }
}

/** The clock and cron leader of `engine`; a `TypeError` unless `createTestEngine` made it. */
function testEngineParts(engine: TestEngine): { clock: ManualClock; leader: TestLeader } {
  const leader = cronLeaderOf(engine);
  if (!leader) throw new TypeError("drain: give an engine made by createTestEngine");
  return { clock: engine.clock, leader };
}

function checkOptions(options: DrainOptions): DrainOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("drain: options must be an object");
  }
  if (options.queue !== undefined) assertQueueName(options.queue, "drain");
  const { advanceTime, limit } = options;
  if (
    advanceTime !== undefined && typeof advanceTime !== "boolean" &&
    !(Number.isSafeInteger(advanceTime) && advanceTime >= 0)
  ) {
    throw new RangeError(
      `drain: advanceTime must be true, false or a whole number of ms >= 0, got ${advanceTime}`,
    );
  }
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new RangeError(`drain: limit must be a whole number >= 1, got ${limit}`);
  }
  return options;
}

/** The latest time the clock may be moved to: now, a span ahead, or no end. */
function endOfTime(advanceTime: DrainOptions["advanceTime"], now: number): number {
  if (advanceTime === true) return Infinity;
  return now + (typeof advanceTime === "number" ? advanceTime : 0);
}

function overLimit(limit: number, attempt: DrainedAttempt): Error {
  return new Error(
    `drain: more than ${limit} attempts (the next: attempt ${attempt.attempt} of job ` +
      `${attempt.id}, ${attempt.name}); does a job snooze or enqueue itself forever? ` +
      "Or does advanceTime live through many cron ticks? Raise the limit option if the work is real",
  );
}
