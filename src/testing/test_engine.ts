/**
 * `createTestEngine`: an engine for the tests of job functions, on a fresh memory store with a
 * manual clock and a cron leader that acts only when asked, so nothing runs in the background
 * and nothing is left running when the test ends.
 *
 * @module
 */
import { Engine } from "../engine.ts";
import type { EngineOptions } from "../engine/options.ts";
import { ManualClock } from "../job/clock.ts";
import { consoleLogger, type Logger } from "../job/logger.ts";
import { engineInternals } from "../engine/internals.ts";
import type { TestLeader } from "./test_leader.ts";
import { TestStore } from "./test_store.ts";

/**
 * Options of `createTestEngine`: those of `createEngine` (functions, codecs, failure callbacks,
 * ...), but the store and its namespace, which are a fresh memory store's.
 */
export interface TestEngineOptions extends Omit<EngineOptions, "store" | "namespace" | "clock"> {
  /** The clock (default: a new `ManualClock` at 2026-01-01T00:00:00Z). */
  clock?: ManualClock;
}

/**
 * Logs warnings and errors to the console and drops the rest: job log lines (`ctx.log`) stay
 * out of the test output, and are stored with their jobs all the same (`engine.jobLogs(id)`).
 */
const TEST_LOGGER: Logger = Object.freeze({
  debug() {},
  info() {},
  warn: consoleLogger.warn,
  error: consoleLogger.error,
});

/** The cron leader of each test engine. */
const leaders = new WeakMap<Engine, TestLeader>();

/**
 * The cron leader of `engine` when `createTestEngine` made it (`drain` and the enqueue
 * assertions ask it to fire the ticks due by now), else undefined.
 */
export function cronLeaderOf(engine: Engine): TestLeader | undefined {
  return leaders.get(engine);
}

/**
 * An engine on a fresh memory store with a manual clock (`createTestEngine`). It starts no timer:
 * jobs run when `drain` runs them, and time moves when the test moves `clock`.
 */
export class TestEngine extends Engine {
  /**
   * The engine's clock: `clock.advance(ms)` moves time for delayed jobs, retry backoffs, rate
   * limits and cron schedules; `drain` then runs what fell due.
   */
  readonly clock: ManualClock;
  #memory: TestStore;

  /** Use `createTestEngine`. */
  constructor(options: TestEngineOptions = {}) {
    const clock = options.clock ?? new ManualClock();
    if (!(clock instanceof ManualClock)) {
      throw new TypeError("createTestEngine: clock must be a ManualClock");
    }
    const logger = options.logger ?? TEST_LOGGER;
    const store = new TestStore({ clock }, logger);
    super({ ...options, store, clock, logger });
    this.clock = clock;
    this.#memory = store;
    leaders.set(this, store.leader);
  }

  /** Stops anything the engine started and closes its store. */
  override async close(): Promise<void> {
    await super.close();
    await this.#memory.close();
  }

  /** Closes the engine: `await using engine = await createTestEngine(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Creates an engine for tests: a fresh memory store, a `ManualClock` (`engine.clock`), the
 * functions registered (a list of definitions and `@job` classes, a functions folder, or a
 * generated manifest) and their cron schedules stored, as a worker's start would store them.
 * Nothing runs in the background: `drain(engine)` runs the jobs that are due, and moving
 * `engine.clock` makes delayed jobs, retries and cron ticks due. Close it at the end of the test
 * (`await engine.close()`, or `await using`).
 *
 * @example A test engine for one function
 * ```ts
 * import { z } from "zod";
 * import { define } from "./mod.ts";
 * import { createTestEngine, drain } from "./testing.ts";
 *
 * const Double = define({ name: "double", payload: z.object({ n: z.number() }) }, ({ n }) => n * 2);
 *
 * await using engine = await createTestEngine({ functions: [Double] });
 * await engine.enqueue(Double, { n: 21 }, { delay: 60_000 });
 * const ran = await drain(engine, { advanceTime: true }); // the clock moves a minute on
 * console.log(ran.map((r) => r.result)); // [42]
 * ```
 */
export async function createTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createTestEngine: options must be an object");
  }
  const engine = new TestEngine(options);
  try {
    await engine.ready();
    await engine.schedules.storeDefinitions(engineInternals(engine).definitions());
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}
