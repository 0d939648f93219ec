/**
 * Registers every conformance case (store verbs, then the engine end to end) against one store
 * implementation; both store runners call this, so both stores face the same suite.
 *
 * @module
 */
import { runCases, runStoreConformance, type StoreFactory } from "../src/store/_conformance.ts";
import { ENGINE_CASES } from "./_engine_conformance.ts";
import { FUNCTION_CASES } from "./_engine_function_cases.ts";
import { NODE_CASES } from "./_engine_node_cases.ts";
import { RETRY_CASES } from "./_engine_retry_cases.ts";
import { GRAPH_ENGINE_CASES } from "./_engine_graph_cases.ts";
import { INSPECT_ENGINE_CASES } from "./_engine_inspect_cases.ts";
import { CRON_CASES } from "./_engine_cron_cases.ts";
import { RESCHEDULE_ENGINE_CASES } from "./_engine_reschedule_cases.ts";
import { LIMIT_ENGINE_CASES } from "./_engine_limit_cases.ts";

const ENGINE_SUITES = [
  ENGINE_CASES,
  FUNCTION_CASES,
  RETRY_CASES,
  NODE_CASES,
  GRAPH_ENGINE_CASES,
  INSPECT_ENGINE_CASES,
  CRON_CASES,
  RESCHEDULE_ENGINE_CASES,
  LIMIT_ENGINE_CASES,
];

/** Runs the whole conformance suite against stores made by `factory`. */
export function runAllCases(label: string, factory: StoreFactory): void {
  runStoreConformance(label, factory);
  for (const cases of ENGINE_SUITES) runCases(label, factory, cases);
}
