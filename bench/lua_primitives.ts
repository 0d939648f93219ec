/**
 * What the building blocks of Sluice's Redis scripts cost, in Redis instructions per operation:
 * a `redis.call` and each field it carries, a number turned to text, a string split in Lua. The
 * figures size a change to a script before it is written (say, reading a job's fields packed in
 * one field and split in Lua instead of one HMGET field each: see bench/README.md). A private
 * `redis-server` runs under valgrind's callgrind; each probe runs its operation `--ops` times in
 * one script, on job hashes shaped like a leased job (16 fields, a listpack), and its count is
 * net of a loop that does the same but the operation.
 *
 * ```sh
 * deno task bench:lua-primitives [--ops 3000]
 * ```
 *
 * Needs valgrind; runs about 10 seconds.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { CallgrindRedis } from "./_callgrind_redis.ts";
import { positiveCounts } from "./_tool_args.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { ops: { type: "string", default: "3000" } },
});
const { ops } = positiveCounts("bench:lua-primitives", { ops: values.ops });

/** A leased job's hash: the fields the hot scripts read and write, payload included. */
const JOB_FIELDS = [
  ["n", "bench-noop"],
  ["q", "default"],
  ["l", "2"],
  ["d", 'S\u0000\u0001{"i":1,"e":"u1@x.io"}'],
  ["a", "1"],
  ["m", "3"],
  ["e", "1796173976614"],
  ["r", "1796173976614"],
  ["s", "a"],
  ["sl", "0"],
  ["rl", "0"],
  ["bo", ""],
  ["st", "1796173976700"],
  ["w", "worker-1"],
  ["t", "9d847b9f1e5c962abaf19bd9894a6e37.12"],
  ["dl", "1796174036700"],
];
const THIRTEEN = '"n", "d", "a", "m", "sl", "e", "r", "rl", "bo", "pr", "uk", "us", "lk"';
const PACKED = "bench-noop,2,1,3,0,1796173976614,1796173976614,0,,,,,";

/** Each probe: what it measures, and the Lua run once per job key `k` (job number `i`). */
const PROBES: { op: string; lua: string }[] = [
  { op: "redis.call HGET, 1 field", lua: 'redis.call("HGET", k, "n")' },
  {
    op: "redis.call HMGET, 13 fields (4 absent, as at reserve)",
    lua: `redis.call("HMGET", k, ${THIRTEEN})`,
  },
  { op: "redis.call HGETALL, 16 fields", lua: 'redis.call("HGETALL", k)' },
  { op: "redis.call HSET, 1 field", lua: 'redis.call("HSET", k, "s", "c")' },
  {
    op: "redis.call HSET, 5 fields",
    lua: 'redis.call("HSET", k, "s", "a", "st", "1796173976701", "w", "worker-2", ' +
      '"t", "9d847b9f1e5c962abaf19bd9894a6e37.13", "dl", "1796174036701")',
  },
  { op: "redis.call ZADD (skiplist zset)", lua: 'redis.call("ZADD", "z", i, k)' },
  // removes the members the ZADD probe just added
  { op: "redis.call ZREM (skiplist zset)", lua: 'redis.call("ZREM", "z", k)' },
  { op: "number to text (tostring)", lua: "local s = tostring(i * 1000003)" },
  { op: "concatenate 7 texts", lua: 'local s = k .. "," .. k .. "," .. k .. "," .. k' },
  {
    op: "split a packed text of 13 fields (string.find, string.sub)",
    lua: `local s, f, at = "${PACKED}", {}, 1
      for n = 1, 13 do
        local comma = string.find(s, ",", at, true) or (#s + 1)
        f[n] = string.sub(s, at, comma - 1)
        at = comma + 1
      end`,
  },
  {
    op: "split a packed text of 13 fields (one string.match)",
    lua: `local f = { string.match("${PACKED}", "^${"([^,]*),".repeat(12)}([^,]*)$") }`,
  },
  {
    op: "unpack 13 fields (cmsgpack.unpack of an array)",
    lua: "local f = cmsgpack.unpack(MP)",
  },
  {
    op: "unpack 13 fields (cjson.decode of an array)",
    lua: `local f = cjson.decode('${JSON.stringify(PACKED.split(","))}')`,
  },
];

const script = (body: string) =>
  `local MP = cmsgpack.pack(cjson.decode('${JSON.stringify(PACKED.split(","))}'))\n` +
  `for i = 1, #KEYS do local k = KEYS[i]\n${body}\nend return #KEYS`;

const redis = await CallgrindRedis.start("bench:lua-primitives");
const client = new Redis(redis.server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
const rows: { op: string; instructions: number }[] = [];
try {
  await client.connect();
  const keys = Array.from({ length: ops }, (_, i) => `j:${i}`);
  const pipeline = client.pipeline();
  for (const key of keys) pipeline.hset(key, Object.fromEntries(JOB_FIELDS));
  // a long member keeps "z" a skiplist (as the lease indexes are kept, see _leases.lua)
  pipeline.zadd("z", "+inf", "x".repeat(80));
  await pipeline.exec();
  // Loaded before the counters start, so a probe's count holds no compiling.
  const run = async (body: string) => {
    const sha = await client.script("LOAD", script(body)) as string;
    await redis.dump();
    await client.evalsha(sha, keys.length, ...keys);
    return await redis.dump();
  };
  await run("local x = k"); // the first run warms the server up: not counted
  const loop = await run("local x = k");
  for (const probe of PROBES) {
    rows.push({ op: probe.op, instructions: Math.round(((await run(probe.lua)) - loop) / ops) });
  }
} finally {
  client.disconnect();
  await redis.stop();
}

console.log(`\n### Redis instructions per operation in a script (callgrind), ${ops} ops each\n`);
console.log("| operation | instructions |");
console.log("| --- | ---: |");
for (const r of rows) console.log(`| ${r.op} | ${r.instructions.toLocaleString("en-US")} |`);
for (const r of rows) console.log(JSON.stringify({ bench: "lua-primitives", ops, ...r }));
