/**
 * `deno task fuzz:api`: the long profile of the API fuzz. Every operation of the gateway's
 * `/openapi.json` gets `SLUICE_FUZZ_REQUESTS` requests (default 300), then the raw HTTP cases and
 * the metacharacter names (`SLUICE_FUZZ_NAMES` generated ones, default 100), on the memory store
 * and, when `REDIS_URL` is set, on a Redis store in a namespace of its own (dropped after); then a
 * fifth as many requests on an open gateway (no tokens: its host and origin rules).
 * Prints a table per store and exits 1 on any failure. `SLUICE_FUZZ_SEED` replays a run;
 * `SLUICE_FUZZ_ONLY` narrows it to the operations whose key contains the text.
 *
 * @module
 */
import { MemoryStore, type Store } from "../store.ts";
import { namespacedStore } from "../tests/_redis_env.ts";
import { runProfile } from "../tests/_api_fuzz/profile.ts";

const env = (name: string) => Deno.env.get(name);
const runs = Number(env("SLUICE_FUZZ_REQUESTS") ?? 300);
const names = Number(env("SLUICE_FUZZ_NAMES") ?? 100);
const seed = Number(env("SLUICE_FUZZ_SEED") ?? Date.now() % 1_000_000);
const only = env("SLUICE_FUZZ_ONLY");
const url = env("REDIS_URL");

const stores: [string, () => Promise<Store>][] = [
  ["memory", () => Promise.resolve(new MemoryStore())],
];
if (url) stores.push(["redis", () => namespacedStore(url, "api-fuzz")]);
else console.warn("REDIS_URL is not set: the memory store only");

let failed = 0;
const profiles = [
  ...stores.map(([name, open]) => ({ name, open, runs, names, openGateway: false })),
  // the host and origin rules of a gateway without tokens, on the memory store
  { name: "memory", open: stores[0]![1], runs: Math.ceil(runs / 5), names: 0, openGateway: true },
];
for (const p of profiles) {
  const result = await runProfile(p.name, await p.open(), {
    runs: p.runs,
    names: p.names,
    seed,
    open: p.openGateway,
    ...(only ? { only } : {}),
  });
  failed += result.failures;
  console.log(`\n${result.report}`);
}
if (failed > 0) {
  console.error(`\n${failed} failure(s); replay with SLUICE_FUZZ_SEED=${seed}`);
  Deno.exit(1);
}
