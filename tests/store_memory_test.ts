import type { StoreFactory } from "../src/store/_conformance.ts";
import { MemoryStore } from "../src/store/memory/memory_store.ts";
import { runAllCases } from "./_run_all_cases.ts";

const factory: StoreFactory = ({ clock, retention, events }) =>
  Promise.resolve(new MemoryStore({ clock, events, ...(retention ? { retention } : {}) }));

runAllCases("MemoryStore", factory);
