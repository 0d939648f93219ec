/**
 * The API fuzz, short profile, on both stores: every operation of the gateway's `/openapi.json`
 * gets schema-valid and malformed requests (fast-check), then the raw HTTP cases and the
 * metacharacter names; no 5xx, every error in the one JSON shape with a code, nothing stored by
 * a refused request, `/healthz` up throughout. A failure prints the seed and the request
 * (`SLUICE_FUZZ_SEED=<seed> deno task fuzz:api` replays it); `deno task fuzz:api` is the long
 * profile.
 *
 * @module
 */
import assert from "node:assert/strict";
import { MemoryStore, type Store } from "../store.ts";
import { runProfile } from "./_api_fuzz/profile.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

const seed = Number(Deno.env.get("SLUICE_FUZZ_SEED") ?? Date.now() % 1_000_000);

function fuzzTest(
  name: string,
  open: () => Promise<Store>,
  runs: number,
  names: number,
  openGateway = false,
): void {
  Deno.test({
    name: `API fuzz on ${name}${openGateway ? " (open gateway)" : ""}: ${runs} requests per ` +
      "operation, raw HTTP, names",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const profile = { runs, names, seed, open: openGateway };
      const result = await runProfile(name, await open(), profile);
      assert.equal(result.failures, 0, `\n${result.report}\n(replay: SLUICE_FUZZ_SEED=${seed})`);
    },
  });
}

fuzzTest("memory", () => Promise.resolve(new MemoryStore()), 80, 40);
fuzzTest("memory", () => Promise.resolve(new MemoryStore()), 20, 5, true);

await withRedis("API fuzz on RedisStore", (url) => {
  fuzzTest("redis", () => namespacedStore(url, "test-api-fuzz"), 50, 15);
});
