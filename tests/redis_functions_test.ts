/**
 * The job path's scripts as Redis Functions (src/store/redis/lua_function.ts, scripts.ts): a
 * function library starts every call from the state a plain script call starts from; the store
 * loads its libraries where they are missing (first use, FUNCTION FLUSH; a restarted server:
 * reconnect_test.ts), and runs every script as a plain script where functions are refused (a
 * server without FCALL, as Redis 6 is; a user without the rights: redis_acl_test.ts).
 */
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { RedisStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { functionLibrary } from "../src/store/redis/lua_function.ts";
import coreLib from "../src/store/redis/lua/_core.lua" with { type: "text" };
import { FUNCTION_SCRIPTS, functionLibraryOf } from "../src/store/redis/scripts.ts";
import {
  isFunctionMissing,
  isFunctionRefused,
  isRefusedBeforeRun,
  loadLibrary,
} from "../src/store/redis/function_loader.ts";
import { StoreAccessError, StoreFullError } from "../mod.ts";
import { Status } from "../src/job/status.ts";
import { fillRedis } from "../tools/chaos/redis.ts";
import { withRedis } from "./_redis_env.ts";
import { type PrivateRedis, testOnPrivateRedis } from "./_redis_server.ts";
import { roundTrip } from "./_store_roundtrip.ts";
import { aclRules } from "../src/store/redis/access.ts";

/** A library in the style of the store's: call state, a hook list, helpers using both. */
const LIBRARY = `
local P = KEYS[1]
local SEEN = {} -- filled by each call
local COUNT = 0
-- @load
local HOOKS = {}
local function on_call(f)
  HOOKS[#HOOKS + 1] = f
end
local function see(x)
  COUNT = COUNT + 1
  SEEN[#SEEN + 1] = x
  for _, f in ipairs(HOOKS) do f(x) end
end
local HOOKED = 0
-- @load
on_call(function()
  HOOKED = HOOKED + 1
end)
`;

const BODY = `
see(ARGV[1])
see(ARGV[2])
return { COUNT, #SEEN, HOOKED, #HOOKS, P, SEEN[2] }
`;

Deno.test("functionLibrary: a top-level local declared twice is refused", () => {
  assert.throws(
    () => functionLibrary("twice", "local A = 1\nlocal A = 2\n", "return A"),
    /declare A twice/,
  );
});

Deno.test("functionLibrary: a registration at every call into a list built at load is refused", () => {
  // HOOKS is built once (@load); an unmarked on_call(...) would add to it at every call
  const unmarked = LIBRARY.replace("-- @load\non_call(function()", "on_call(function()");
  assert.notEqual(unmarked, LIBRARY);
  assert.throws(() => functionLibrary("grows", unmarked, BODY), /appends to HOOKS.*@load too/);
  // a value built at load from what only a call sets
  const early = "local P = KEYS[1]\n-- @load\nlocal KEYS_OF = { P }\n";
  assert.throws(() => functionLibrary("early", early, "return KEYS_OF[1]"), /from P, which/);
  // a marker a blank line above the block's comment marks nothing
  const apart = "-- @load\n\n-- state of a call\nlocal SEEN = {}\n";
  assert.ok(
    !functionLibrary("apart", apart, "return #SEEN").split("__reset_1")[0]!.includes("SEEN = {}"),
  );
});

Deno.test("function errors: what a refused, missing or not-run FCALL reads as", () => {
  const refused = [
    "ERR unknown command 'fcall', with args beginning with: 'x' '1'", // Redis 7, renamed
    "ERR unknown command `FCALL`, with args beginning with: `x`, `1`, ", // Redis 6
    "NOPERM this user has no permissions to run the 'fcall' command",
    "NOPERM this user has no permissions to run the 'function|load' command",
    "ERR Error compiling function: user_function:3: unexpected symbol",
  ];
  for (const message of refused) assert.ok(isFunctionRefused(new Error(message)), message);
  // as the store reports a refused permission: a StoreAccessError, the reply its cause
  const access = new StoreAccessError("lacks a permission", {
    cause: new Error("NOPERM this user has no permissions to run the 'fcall' command"),
  });
  assert.ok(isFunctionRefused(access));
  assert.ok(
    !isFunctionRefused(new Error("NOPERM this user has no permissions to run the 'hset' command")),
  );
  assert.ok(isFunctionMissing(new Error("ERR Function not found")));
  assert.ok(!isFunctionMissing(new Error("ERR unknown command 'fcall'")));
  const full = new StoreFullError("full", {
    cause: new Error("OOM command not allowed when used memory > 'maxmemory'."),
  });
  assert.ok(isRefusedBeforeRun(full));
  assert.ok(isRefusedBeforeRun(new Error("NOREPLICAS Not enough good replicas to write.")));
  assert.ok(!isRefusedBeforeRun(new Error("ERR user_function:12: sluice enqueue: bad lane 9")));
});

/** The names of the `sluice_` function libraries on the server `admin` is connected to. */
async function sluiceLibraries(admin: Redis): Promise<string[]> {
  const reply = await admin.call("FUNCTION", "LIST", "LIBRARYNAME", "sluice_*") as unknown[][];
  return reply.map((library) => String(library[1])).sort();
}

/** Calls of `command` the server at `server` ran (INFO commandstats). */
async function callsOf(server: PrivateRedis, command: string): Promise<number> {
  return (await server.commandCalls()).get(command) ?? 0;
}

await withRedis("Redis Functions", () => {
  testOnPrivateRedis(
    "functionLibrary: every call starts from the state a plain script call starts from",
    async (_server, admin) => {
      const fresh = functionLibrary("fresh_state", LIBRARY, BODY);
      // the @load blocks (the hook list, the registration) run once, before any reset function
      const firstReset = fresh.indexOf("local function __reset_1");
      for (const atLoad of ["local HOOKS = {}", "on_call(function()"]) {
        const at = fresh.indexOf(atLoad);
        assert.ok(at >= 0 && at < firstReset, `${atLoad} runs at load`);
      }
      assert.ok(!fresh.slice(firstReset).includes("HOOKS = {}"));
      await admin.call("FUNCTION", "LOAD", fresh);
      for (const [a, b] of [["x", "y"], ["u", "v"]]) {
        const reply = await admin.call("FCALL", "fresh_state", 1, "{p}:", a!, b!);
        // one call's two `see`s, one hook registered once a call, the call's own key
        assert.deepEqual(reply, [2, 2, 2, 1, "{p}:", b]);
      }
      // as plain scripts, the same text gives the same replies
      const plain = await admin.eval(`${LIBRARY}\n${BODY}`, 1, "{p}:", "x", "y");
      assert.deepEqual(plain, [2, 2, 2, 1, "{p}:", "y"]);

      // more per-call state than one Lua function may refer to (60 upvalues): all reset (80
      // tables, read through 40 helpers: 120 locals, under the 200 a chunk may have)
      const many = Array.from({ length: 80 }, (_, i) => `local S${i} = { ${i} }`).join("\n");
      const getters = Array.from(
        { length: 40 },
        (_, i) => `local function get${2 * i}() return S${2 * i}[1] end`,
      ).join("\n");
      const sum = Array.from({ length: 40 }, (_, i) => `get${2 * i}()`).join(" + ");
      const body = `local before = ${sum}\nS6[1] = -1000\nreturn before`;
      const code = functionLibrary("many_state", `${many}\n${getters}`, body);
      assert.ok(code.includes("__reset_2"), "the resets are spread over functions");
      await admin.call("FUNCTION", "LOAD", code);
      for (let call = 0; call < 2; call++) {
        assert.equal(await admin.call("FCALL", "many_state", 0), 2 * (39 * 40) / 2);
      }
      // a body that names more locals than a Lua function may have upvalues is refused here,
      // not when Redis compiles it
      const wide = Array.from({ length: 70 }, (_, i) => `S${i}[1]`).join(" + ");
      assert.throws(() => functionLibrary("wide", many, `return ${wide}`), /70 library locals/);
    },
  );

  testOnPrivateRedis(
    "functionLibrary: the memo tables kept from call to call give the same texts past their bound",
    async (_server, admin) => {
      // itos and frame_head memoize into @load tables of at most MEMO_MAX (1,024) entries
      // the reply: the memos' sizes as the call found them, the texts, their sizes at its end
      const body = `local out = { INT_TEXT_SIZE, FRAME_HEAD_SIZE }
for i = 1, #ARGV do
  local n = tonumber(ARGV[i])
  out[i + 2] = itos(n) .. "|" .. frame_head(string.rep("x", n % 2000))
end
out[#out + 1] = INT_TEXT_SIZE
out[#out + 1] = FRAME_HEAD_SIZE
return out`;
      await admin.call("FUNCTION", "LOAD", functionLibrary("memo", coreLib, body));
      const numbers = Array.from({ length: 1500 }, (_, i) => 7 * i);
      for (const round of [0, 1, 2]) {
        const args = numbers.map((n) => String(n + round * 500));
        const reply = await admin.call("FCALL", "memo", 1, "{p}:", ...args) as (string | number)[];
        const [intsBefore, headsBefore] = reply.slice(0, 2) as number[];
        const [intsAfter, headsAfter] = reply.slice(-2) as number[];
        assert.deepEqual(reply.slice(2, -2), args.map((n) => `${n}|${Number(n) % 2000}:`));
        // kept from the call before (none before the first), never past 1,024 entries
        assert.equal(intsBefore! > 0 && headsBefore! > 0, round > 0);
        for (const size of [intsAfter!, headsAfter!]) {
          assert.ok(size > 0 && size <= 1024, `${size}`);
        }
      }
    },
  );

  testOnPrivateRedis(
    "functions: the job path runs as functions, loaded again after FUNCTION FLUSH",
    async (server, admin) => {
      const store = await RedisStore.connect({ url: server.url, namespace: "fn" });
      try {
        assert.deepEqual(await roundTrip(store, 3), [0, 2, 4]);
        const expected = [...FUNCTION_SCRIPTS].map((name) => functionLibraryOf(name)!.name);
        assert.equal(expected.length, FUNCTION_SCRIPTS.size, "every one is made a library");
        const loaded = await sluiceLibraries(admin);
        for (const name of ["enqueue", "reserve", "complete"] as const) {
          assert.ok(loaded.includes(functionLibraryOf(name)!.name), `${name} loaded: ${loaded}`);
        }
        assert.ok(loaded.every((name) => expected.includes(name)), `${loaded}`);
        // and every one compiles on the server (those no job here called included)
        for (const name of expected.filter((n) => !loaded.includes(n))) {
          const library = [...FUNCTION_SCRIPTS].map((s) => functionLibraryOf(s)!)
            .find((l) => l.name === name)!;
          await admin.call("FUNCTION", "LOAD", library.code);
        }
        assert.deepEqual(await sluiceLibraries(admin), [...expected].sort());
        const fcalls = await callsOf(server, "fcall");
        assert.ok(fcalls >= 5, `fcall ran ${fcalls} times`);

        await admin.call("FUNCTION", "FLUSH");
        assert.deepEqual(await sluiceLibraries(admin), []);
        assert.deepEqual(await roundTrip(store, 3), [0, 2, 4]);
        assert.ok((await sluiceLibraries(admin)).length >= 3, "loaded again");
      } finally {
        await store.close();
      }
    },
  );

  testOnPrivateRedis(
    "functions: loading where a library of the name holds other code refuses it, warning",
    async (server, admin) => {
      const warnings: string[] = [];
      const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
      const redis = openConnection(server.url, { logger });
      try {
        const library = functionLibraryOf("enqueue")!;
        assert.deepEqual(await loadLibrary(redis, library), []);
        assert.deepEqual(await loadLibrary(redis, library), [], "the same code: kept");
        // another user allowed FUNCTION LOAD put other code under the name
        const other = `#!lua name=${library.name}\n` +
          `redis.register_function("${library.name}", function() return 1 end)`;
        await admin.call("FUNCTION", "LOAD", "REPLACE", other);
        const failures = await loadLibrary(redis, library);
        assert.equal(failures.length, 1);
        assert.ok(isFunctionRefused(failures[0]), String(failures[0]));
        assert.ok(warnings.some((w) => w.includes(library.name) && /did not write/.test(w)));
      } finally {
        await closeConnection(redis);
      }
    },
  );

  testOnPrivateRedis(
    "functions: on a full Redis, calls that write nothing still answer (as plain scripts do)",
    async (server, admin) => {
      const store = await RedisStore.connect({ url: server.url, namespace: "full-fn" });
      try {
        assert.deepEqual(await roundTrip(store, 1), [0]); // the libraries are loaded
        const fillers = await fillRedis(admin);
        // a reserve that finds nothing, a completion whose lease is gone: no write, no refusal
        assert.deepEqual(
          await store.reserve({ worker: "w", queues: ["roundtrip"], count: 5, leaseMs: 1e4 }),
          [],
        );
        assert.deepEqual(
          await store.complete([{ id: "no-such-job", token: "t", result: null }]),
          [Status.NOT_FOUND],
        );
        await assert.rejects(roundTrip(store, 1), StoreFullError);
        await admin.del(...fillers);
      } finally {
        await store.close();
      }
    },
  );

  testOnPrivateRedis(
    "functions: a server without FCALL (as Redis 6) runs every script as a plain script",
    async (server, admin) => {
      const store = await RedisStore.connect({ url: server.url, namespace: "no-fn" });
      try {
        assert.deepEqual(await roundTrip(store, 4), [0, 2, 4, 6]);
        assert.equal(
          (await store.counts("roundtrip")).states.completed,
          4,
          "the completing scripts ran",
        );
        assert.ok(await callsOf(server, "evalsha") > 0);
        // refused (by each call in flight when the first refusal came), then never tried again
        const refused = await errorCount(admin, "ERR");
        assert.ok(refused >= 1);
        assert.deepEqual(await roundTrip(store, 4), [0, 2, 4, 6]);
        assert.equal(await errorCount(admin, "ERR"), refused);
      } finally {
        await store.close();
      }
    },
    ["--rename-command", "FCALL", ""],
  );

  testOnPrivateRedis(
    "functions: a user of one namespace finding them missing (it may not load them) runs plain scripts",
    async (server, admin) => {
      await admin.call(
        "ACL",
        "SETUSER",
        "app",
        "reset",
        "on",
        ">pw",
        ...aclRules("app").split(" "),
      );
      const url = server.url.replace("redis://", "redis://app:pw@");
      const store = await RedisStore.connect({ url, namespace: "app" });
      try {
        assert.deepEqual(await roundTrip(store, 3), [0, 2, 4]);
        assert.equal((await store.counts("roundtrip")).states.completed, 3);
        assert.deepEqual(await sluiceLibraries(admin), [], "nothing loaded");
        assert.ok(await callsOf(server, "evalsha") > 0);
      } finally {
        await store.close();
      }
    },
  );
});

/** How many errors of `prefix` (e.g. "ERR", "NOPERM") the server answered (INFO errorstats). */
async function errorCount(admin: Redis, prefix: string): Promise<number> {
  const stats = await admin.info("errorstats");
  return Number(new RegExp(`errorstat_${prefix}:count=(\\d+)`).exec(stats)?.[1] ?? 0);
}
