import { runCases, runStoreConformance, type StoreFactory } from "../src/store/_conformance.ts";
import { MemoryStore } from "../src/store/memory/memory_store.ts";
import { ENGINE_CASES } from "./_engine_conformance.ts";
import { FUNCTION_CASES } from "./_engine_function_cases.ts";
import { RETRY_CASES } from "./_engine_retry_cases.ts";

const factory: StoreFactory = ({ clock, retention }) =>
  Promise.resolve(new MemoryStore({ clock, ...(retention ? { retention } : {}) }));

runStoreConformance("MemoryStore", factory);
runCases("MemoryStore", factory, ENGINE_CASES);
runCases("MemoryStore", factory, FUNCTION_CASES);
runCases("MemoryStore", factory, RETRY_CASES);
