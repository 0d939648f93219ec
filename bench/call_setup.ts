/**
 * What a script call costs Redis before its script does any work: its set-up, as a plain script
 * (EVALSHA: the script's whole chunk, every library helper built again) and as a Redis Function
 * (FCALL: only the call's fresh state, see src/store/redis/lua_function.ts), for each script of
 * the job path, against an empty script. Each probe is the real script (or library) whose body
 * first returns at once; a private `redis-server` runs the calls one after another and its
 * `INFO commandstats` gives the server's own time a call (the round trip is not in it).
 *
 * ```sh
 * deno task bench:call-setup [--calls 5000]
 * ```
 *
 * Runs about 10 seconds.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { PrivateRedis } from "./_private_redis.ts";
import { positiveCounts } from "./_tool_args.ts";
import { functionLibrary } from "../src/store/redis/lua_function.ts";
import { FUNCTION_SCRIPTS, scriptParts } from "../src/store/redis/scripts.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { calls: { type: "string", default: "5000" } },
});
const { calls } = positiveCounts("bench:call-setup", { calls: values.calls });

const PROBE = "__setup_probe";
const server = await PrivateRedis.start();
const redis = new Redis(server.url);

/** Server µs a call of `command` over `calls` calls of `call` (INFO commandstats). */
async function serverMicros(command: string, call: () => Promise<unknown>): Promise<number> {
  await redis.config("RESETSTAT");
  for (let i = 0; i < calls; i++) await call();
  const stats = await redis.info("commandstats");
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+),usec=(\\d+)`).exec(stats);
  if (!match) throw new Error(`bench:call-setup: no ${command} in INFO commandstats`);
  return Number(match[2]) / Number(match[1]);
}

try {
  const empty = await redis.script("LOAD", "return 1") as string;
  const emptyMicros = await serverMicros("evalsha", () => redis.evalsha(empty, 1, "{p}:"));
  const rows: { script: string; plain: number; fn: number }[] = [];
  for (const name of FUNCTION_SCRIPTS) {
    const { libraries, body } = scriptParts(name);
    const early = `if ARGV[1] == "${PROBE}" then return 1 end\n${body}`;
    const sha = await redis.script("LOAD", `${libraries}\n${early}`) as string;
    const fname = `setup_probe_${name}`;
    await redis.call("FUNCTION", "LOAD", "REPLACE", functionLibrary(fname, libraries, early));
    const plain = await serverMicros("evalsha", () => redis.evalsha(sha, 1, "{p}:", PROBE));
    const fn = await serverMicros("fcall", () => redis.call("FCALL", fname, 1, "{p}:", PROBE));
    rows.push({ script: name, plain, fn });
    console.log(
      JSON.stringify({ bench: "call-setup", script: name, plainUs: plain, functionUs: fn }),
    );
  }
  console.log(`\n| script | plain script (EVALSHA) µs a call | function (FCALL) µs a call |`);
  console.log(`| --- | ---: | ---: |`);
  for (const r of rows) console.log(`| ${r.script} | ${r.plain.toFixed(1)} | ${r.fn.toFixed(1)} |`);
  console.log(`| (an empty script) | ${emptyMicros.toFixed(1)} | |`);
} finally {
  redis.disconnect();
  await server.stop();
}
