/**
 * Differential fuzz of the two stores (issue 9 item 9): seeded random traces run against
 * `MemoryStore` and `RedisStore` in lockstep on one manual clock; every reply and the states
 * must agree. Settings: see `tests/_fuzz/config.ts` (`SLUICE_FUZZ_TRACES=10000` for a long
 * run, `SLUICE_FUZZ_SEED=n` to replay one seed).
 *
 * @module
 */
import assert from "node:assert/strict";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { fuzzConfig } from "./_fuzz/config.ts";
import { generateTrace, type Trace } from "./_fuzz/generator.ts";
import { formatFailure } from "./_fuzz/report.ts";
import { type RunResult, runTrace } from "./_fuzz/runner.ts";
import { shrink } from "./_fuzz/shrink.ts";
import { type PairFactory, storePairs } from "./_fuzz/stores.ts";
import { withRedis } from "./_redis_env.ts";

const config = fuzzConfig();

await withRedis("Store differential fuzz", (url) => {
  const traces = config.replay ? `seed ${config.seeds[0]}` : `${config.seeds.length} traces`;
  Deno.test({
    name: `MemoryStore and RedisStore agree on every reply and state (${traces})`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const redis = openConnection(url);
      try {
        const failures = await runAll(storePairs(redis));
        assert.equal(failures.size, 0, summary(failures));
      } finally {
        await closeConnection(redis);
      }
    },
  });
});

/** Failed traces by divergence signature, in the order first seen. */
type Failures = Map<string, { trace: Trace; result: RunResult }[]>;

async function runAll(open: PairFactory): Promise<Failures> {
  const failures: Failures = new Map();
  for (const seed of config.seeds) {
    const trace = generateTrace(seed, config.generator);
    const result = await runTrace(trace, open);
    if (config.replay) {
      console.log(
        result.divergence
          ? formatFailure("replayed", trace, result)
          : `seed ${seed}: the stores agree (${trace.ops.length} operations)`,
      );
    }
    const signature = result.divergence?.signature;
    if (signature === undefined) continue;
    const list = failures.get(signature) ?? [];
    if (list.length === 0) failures.set(signature, list);
    list.push({ trace, result });
  }
  let shrunk = 0;
  for (const [signature, [first]] of failures) {
    if (shrunk++ >= config.shrink) break;
    const small = await shrink(first!.trace, first!.result, (t) => runTrace(t, open));
    console.log(
      `\n=== divergence ${signature}\n${formatFailure("shrunk", small.trace, small.result)}` +
        `\n  (shrunk in ${small.runs} runs; replay the original: SLUICE_FUZZ_SEED=${
          first!.trace.seed
        })`,
    );
  }
  return failures;
}

function summary(failures: Failures): string {
  const lines = [...failures].map(([signature, list]) =>
    `  ${signature}: ${list.length} traces, seeds ${
      list.slice(0, 5).map((f) => f.trace.seed).join(", ")
    }${list.length > 5 ? ", ..." : ""}`
  );
  return `the stores diverged in ${failures.size} distinct ways:\n${lines.join("\n")}`;
}
