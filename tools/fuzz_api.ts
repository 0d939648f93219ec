/**
 * `deno task fuzz:api`: the long profile of the API fuzz. Every operation of the gateway's
 * `/openapi.json` gets `SLUICE_FUZZ_REQUESTS` requests (default 600) on the memory store, and on
 * a Redis store (in a namespace of its own, dropped after) when `REDIS_URL` is set; then the raw
 * HTTP cases and the metacharacter names. Prints a table per store and exits 1 on any failure.
 * `SLUICE_FUZZ_SEED` replays a run, `SLUICE_FUZZ_ONLY` narrows it to operations whose key
 * contains the text.
 *
 * @module
 */
import { MemoryStore } from "../store.ts";
import type { Store } from "../store.ts";
import { namespacedStore } from "../tests/_redis_env.ts";
import { fuzzApi, table } from "../tests/_api_fuzz/run.ts";
import { serveTarget } from "../tests/_api_fuzz/target.ts";

const runs = Number(Deno.env.get("SLUICE_FUZZ_REQUESTS") ?? 600);
const seed = Number(Deno.env.get("SLUICE_FUZZ_SEED") ?? Date.now() % 1_000_000);
const only = Deno.env.get("SLUICE_FUZZ_ONLY");
const url = Deno.env.get("REDIS_URL");

const stores: [string, () => Promise<Store>][] = [[
  "memory",
  () => Promise.resolve(new MemoryStore()),
]];
if (url) stores.push(["redis", () => namespacedStore(url, "api-fuzz")]);
else console.warn("REDIS_URL is not set: the memory store only");

let failed = 0;
for (const [name, open] of stores) {
  const started = performance.now();
  const target = await serveTarget(await open());
  try {
    const rows = await fuzzApi(target, { runs, seed, ...(only ? { only } : {}) });
    failed += rows.reduce((n, r) => n + r.failures, 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `\n${
        table(
          `API fuzz on ${name}: seed ${seed}, ${runs} requests per operation, ${seconds} s`,
          rows,
        )
      }`,
    );
  } finally {
    await target.close();
  }
}
if (failed > 0) {
  console.error(`\n${failed} operation(s) failed; replay with SLUICE_FUZZ_SEED=${seed}`);
  Deno.exit(1);
}
