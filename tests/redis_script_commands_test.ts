/**
 * Every Redis command the store's Lua scripts send is in `STORE_COMMANDS`, the list the ACL rule
 * set (`aclRules`, docs/security.md) and the start-up permission check are built from: a command
 * missing there refuses a correctly configured ACL user's scripts in the middle of a run.
 */
import assert from "node:assert/strict";
import { STORE_COMMANDS } from "../src/store/redis/access.ts";

const LUA_DIR = new URL("../src/store/redis/lua/", import.meta.url);

/** The command names a Lua source sends: `redis.call("X"`, `redis.pcall("X"`, `later("X"`. */
function commandsOf(source: string): Set<string> {
  const names = new Set<string>();
  const direct = /(?:redis\.p?call|later)\(\s*"([A-Za-z]+)"/g;
  for (const m of source.matchAll(direct)) names.add(m[1]!.toLowerCase());
  // later(front and "LPUSH" or "RPUSH", ...): both names
  const chosen = /later\(\s*\w+ and "([A-Za-z]+)" or "([A-Za-z]+)"/g;
  for (const m of source.matchAll(chosen)) {
    names.add(m[1]!.toLowerCase());
    names.add(m[2]!.toLowerCase());
  }
  return names;
}

Deno.test("redis scripts: every command they send is in the ACL command list", async () => {
  const missing: string[] = [];
  let scripts = 0;
  for await (const entry of Deno.readDir(LUA_DIR)) {
    if (!entry.name.endsWith(".lua")) continue;
    scripts++;
    const source = await Deno.readTextFile(new URL(entry.name, LUA_DIR));
    for (const name of commandsOf(source)) {
      if (!STORE_COMMANDS.includes(name)) missing.push(`${entry.name}: ${name}`);
    }
  }
  assert.ok(scripts > 40, `read ${scripts} scripts`);
  assert.deepEqual(missing.sort(), []);
});

Deno.test("redis scripts: the command scan sees the forms the scripts use", () => {
  const found = commandsOf(
    'redis.call("HLEN", k) redis.pcall("GET", k) later("SADD", k, m)\n' +
      'later(front and "LPUSH" or "RPUSH", k, id)',
  );
  assert.deepEqual([...found].sort(), ["get", "hlen", "lpush", "rpush", "sadd"]);
});
