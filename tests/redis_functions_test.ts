/**
 * The job path's scripts as Redis Functions (src/store/redis/lua_function.ts, scripts.ts): a
 * function library starts every call from the state a plain script call starts from; the store
 * loads its libraries where they are missing (first use, FUNCTION FLUSH; a restarted server:
 * reconnect_test.ts), and runs every script as a plain script where functions are refused (a
 * server without FCALL, as Redis 6 is; a user without the rights: redis_acl_test.ts).
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { RedisStore } from "../store.ts";
import { functionLibrary } from "../src/store/redis/lua_function.ts";
import { FUNCTION_SCRIPTS, functionLibraryOf } from "../src/store/redis/scripts.ts";
import { withRedis } from "./_redis_env.ts";
import { PrivateRedis } from "./_redis_server.ts";
import { roundTrip } from "./_store_roundtrip.ts";

/** A library in the style of the store's: call state, a hook list, helpers using both. */
const LIBRARY = `
local P = KEYS[1]
local SEEN = {} -- filled by each call
local COUNT = 0
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
  Deno.test({
    name: "functionLibrary: every call starts from the state a plain script call starts from",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const server = await PrivateRedis.start();
      const admin = new Redis(server.url);
      try {
        await admin.call("FUNCTION", "LOAD", functionLibrary("fresh_state", LIBRARY, BODY));
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
      } finally {
        admin.disconnect();
        await server.stop();
      }
    },
  });

  Deno.test({
    name: "functions: the job path runs as functions, loaded again after FUNCTION FLUSH",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const server = await PrivateRedis.start();
      const admin = new Redis(server.url);
      const store = await RedisStore.connect({ url: server.url, namespace: "fn" });
      try {
        assert.deepEqual(await roundTrip(store, 3), [0, 2, 4]);
        const expected = [...FUNCTION_SCRIPTS].map((name) => functionLibraryOf(name)!.name);
        const loaded = await sluiceLibraries(admin);
        for (const name of ["enqueue", "reserve", "complete"] as const) {
          assert.ok(loaded.includes(functionLibraryOf(name)!.name), `${name} loaded: ${loaded}`);
        }
        assert.ok(loaded.every((name) => expected.includes(name)), `${loaded}`);
        const fcalls = await callsOf(server, "fcall");
        assert.ok(fcalls >= 5, `fcall ran ${fcalls} times`);

        await admin.call("FUNCTION", "FLUSH");
        assert.deepEqual(await sluiceLibraries(admin), []);
        assert.deepEqual(await roundTrip(store, 3), [0, 2, 4]);
        assert.ok((await sluiceLibraries(admin)).length >= 3, "loaded again");
      } finally {
        await store.close();
        admin.disconnect();
        await server.stop();
      }
    },
  });

  Deno.test({
    name: "functions: a server without FCALL (as Redis 6) runs every script as a plain script",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const server = await PrivateRedis.start(["--rename-command", "FCALL", ""]);
      const store = await RedisStore.connect({ url: server.url, namespace: "no-fn" });
      try {
        assert.deepEqual(await roundTrip(store, 4), [0, 2, 4, 6]);
        assert.equal(
          (await store.counts("roundtrip")).states.completed,
          4,
          "the completing scripts ran",
        );
        assert.ok(await callsOf(server, "evalsha") > 0);
      } finally {
        await store.close();
        await server.stop();
      }
    },
  });
});
