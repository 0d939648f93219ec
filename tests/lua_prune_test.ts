/**
 * `pruneLibraries` drops the library definitions a script never reaches (so Redis does not build
 * them on every call) and keeps everything it does reach, hooks that something runs, and
 * top-level code it cannot judge.
 */
import assert from "node:assert/strict";
import { pruneLibraries } from "../src/store/redis/lua_prune.ts";

const LIBRARY = `-- lib.lua: a test library.

local P = KEYS[1]
local CACHE = {} -- used by cached() only
local UNUSED = { 1, 2,
  3 }

local function cached(k)
  local v = CACHE[k]

-- a column-0 comment inside a function
  if v == nil then v = P .. k end
  return v
end

local function helper(x)
  return cached(x) .. "!"
end

-- mentions helper() in a comment only
local function lonely()
  return 42
end

local HOOKS = {}
local function on_done(fn)
  HOOKS[#HOOKS + 1] = fn
end

local function run_hooks()
  for _, fn in ipairs(HOOKS) do fn() end
end

on_done(function()
  redis.call("DEL", helper("x"))
end)
`;

function defined(text: string): string[] {
  return [...text.matchAll(/^local (?:function )?([A-Za-z_]+)/gm)].map((m) => m[1]!);
}

Deno.test("a script keeps what it reaches, through other definitions, and drops the rest", () => {
  const pruned = pruneLibraries(LIBRARY, "return helper(ARGV[1])");
  assert.deepEqual(defined(pruned), ["P", "CACHE", "cached", "helper"]);
  // a kept function stays whole, its blank lines and column-0 comments included
  assert.match(pruned, /local v = CACHE\[k\]\n\n-- a column-0 comment inside a function\n/);
  assert.match(pruned, /-- used by cached\(\) only/);
});

Deno.test("a name in a comment keeps nothing; a name in a string keeps its definition", () => {
  assert.deepEqual(defined(pruneLibraries(LIBRARY, "-- helper() is not called\nreturn 1")), []);
  assert.deepEqual(defined(pruneLibraries(LIBRARY, "return lonely()")), ["lonely"]);
  assert.deepEqual(defined(pruneLibraries(LIBRARY, 'return "cached"')), ["P", "CACHE", "cached"]);
});

Deno.test("a hook registration is kept when the script runs the hooks, and dropped when not", () => {
  const runs = pruneLibraries(LIBRARY, "run_hooks()\nreturn 1");
  assert.deepEqual(defined(runs), [
    "P",
    "CACHE",
    "cached",
    "helper",
    "HOOKS",
    "on_done",
    "run_hooks",
  ]);
  assert.match(runs, /on_done\(function\(\)\n {2}redis.call\("DEL", helper\("x"\)\)\nend\)/);
  const registersOnly = pruneLibraries(LIBRARY, "on_done(function() end)\nreturn 1");
  assert.deepEqual(defined(registersOnly), ["HOOKS", "on_done"]);
  assert.doesNotMatch(registersOnly, /helper/);
});

Deno.test("top-level code that is neither a definition nor a call of one is always kept", () => {
  const library = `local A = {}\nlocal B = {}\nredis.call("SET", "k", "v")\nA.x = B\n`;
  const pruned = pruneLibraries(library, "return 1");
  assert.equal(pruned, library);
});

Deno.test("the order of the kept blocks is the libraries' order", () => {
  const pruned = pruneLibraries(LIBRARY, "return { helper(1), UNUSED }");
  assert.deepEqual(defined(pruned), ["P", "CACHE", "UNUSED", "cached", "helper"]);
  assert.match(pruned, /local UNUSED = \{ 1, 2,\n {2}3 \}/);
});

Deno.test("a top-level call is kept when the script body reads what it sets", () => {
  const library =
    `local NOW = 0\nlocal function init(s)\n  NOW = tonumber(s)\nend\ninit(ARGV[1])\n`;
  assert.equal(pruneLibraries(library, "return NOW"), library);
  assert.equal(pruneLibraries(library, "return 1"), "");
});
