/**
 * The Redis scripts' histogram buckets (`bucket_of` in `lua/_observe.lua`, comparisons unrolled
 * for speed) agree with the bucket edges both stores document (`BUCKET_EDGES_MS`), at and around
 * every edge.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import coreLib from "../src/store/redis/lua/_core.lua" with { type: "text" };
import observeLib from "../src/store/redis/lua/_observe.lua" with { type: "text" };
import { BUCKET_EDGES_MS } from "../src/store/observations.ts";
import { withRedis } from "./_redis_env.ts";

await withRedis("Redis script buckets", (url) => {
  Deno.test("the scripts' histogram buckets agree with BUCKET_EDGES_MS at and around every edge", async () => {
    const samples = [
      0,
      1,
      1e9,
      ...BUCKET_EDGES_MS.flatMap((e) => [e - 1, e - 0.5, e, e + 0.5, e + 1]),
    ];
    const expected = samples.map((ms) => {
      const i = BUCKET_EDGES_MS.findIndex((edge) => ms <= edge);
      return i === -1 ? BUCKET_EDGES_MS.length + 1 : i + 1;
    });
    const script = `${coreLib}\n${observeLib}\nlocal out = {}\n` +
      `for i = 1, #ARGV do out[i] = bucket_of(tonumber(ARGV[i])) end\nreturn out`;
    const redis = new Redis(url);
    try {
      const got = await redis.eval(script, 1, "{sluice:buckets}:", ...samples.map(String));
      assert.deepEqual(got, expected);
    } finally {
      redis.disconnect();
    }
  });
});
