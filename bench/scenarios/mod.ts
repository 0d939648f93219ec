/**
 * Every scenario of the bench, in the order they run.
 *
 * @module
 */
import type { Scenario } from "../_scenario.ts";
import { enqueueSingle } from "./enqueue_single.ts";
import { enqueueBulk } from "./enqueue_bulk.ts";
import { processInline, processIsolates, processQuiet } from "./process.ts";
import { steady } from "./steady.ts";
import { latency } from "./latency.ts";
import { delayed } from "./delayed.ts";
import { critical } from "./critical.ts";
import { backlog } from "./backlog.ts";
import { memory } from "./memory.ts";
import { memoryStore } from "./memory_store.ts";
import { workers } from "./workers.ts";
import { queues } from "./queues.ts";

/** The scenarios, in `BENCHES` order. */
export const SCENARIOS: readonly Scenario[] = [
  enqueueSingle,
  enqueueBulk,
  processInline,
  processIsolates,
  processQuiet,
  steady,
  latency,
  delayed,
  critical,
  backlog,
  memory,
  memoryStore,
  workers,
  queues,
];
