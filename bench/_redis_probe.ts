/**
 * What the benchmark reads from and does to Redis besides the systems' own calls: the server's CPU
 * time, memory and command statistics before and after a measurement (never reset: the server may
 * be shared), and deleting the keys of one prefix (never FLUSHALL / FLUSHDB).
 *
 * @module
 */
/** What the probes need of a Redis client (an ioredis `Redis` has it). */
export interface ProbeClient {
  /** `INFO section`. */
  info(section: string): Promise<string>;
  /** `SCAN cursor MATCH pattern COUNT n`. */
  scan(
    cursor: string,
    match: "MATCH",
    pattern: string,
    count: "COUNT",
    n: number,
  ): Promise<[cursor: string, keys: string[]]>;
  /** `UNLINK key...`. */
  unlink(...keys: string[]): Promise<number>;
}

/** Server-side counters at one moment. */
export interface RedisSnapshot {
  /** `used_cpu_user + used_cpu_sys` of the Redis process, in seconds. */
  cpuSeconds: number;
  /** `used_memory`, bytes. */
  usedMemory: number;
  /** Per command (lower case, e.g. `evalsha`, `hset`): calls and total µs, from commandstats. */
  commands: Map<string, { calls: number; usec: number }>;
}

/** Per-command difference between two snapshots. */
export interface CommandDelta {
  /** Command name. */
  command: string;
  /** Calls made in between. */
  calls: number;
  /** Server time spent in those calls, µs (a script's inner commands count in both). */
  usec: number;
}

function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

/** Reads the server's CPU time, memory and command statistics. */
export async function snapshotRedis(redis: ProbeClient): Promise<RedisSnapshot> {
  const [cpu, stats, memory] = await Promise.all([
    redis.info("cpu"),
    redis.info("commandstats"),
    redis.info("memory"),
  ]);
  const c = infoFields(cpu);
  const commands = new Map<string, { calls: number; usec: number }>();
  for (const [key, value] of infoFields(stats)) {
    if (!key.startsWith("cmdstat_")) continue;
    const calls = /calls=(\d+)/.exec(value);
    const usec = /usec=(\d+)/.exec(value);
    commands.set(key.slice("cmdstat_".length), {
      calls: Number(calls?.[1] ?? 0),
      usec: Number(usec?.[1] ?? 0),
    });
  }
  return {
    cpuSeconds: Number(c.get("used_cpu_user") ?? 0) + Number(c.get("used_cpu_sys") ?? 0),
    usedMemory: Number(infoFields(memory).get("used_memory") ?? 0),
    commands,
  };
}

/** Commands run between `before` and `after`, busiest (by server time) first. */
export function commandDeltas(before: RedisSnapshot, after: RedisSnapshot): CommandDelta[] {
  const out: CommandDelta[] = [];
  for (const [command, now] of after.commands) {
    const then = before.commands.get(command) ?? { calls: 0, usec: 0 };
    const calls = now.calls - then.calls;
    if (calls > 0) out.push({ command, calls, usec: now.usec - then.usec });
  }
  return out.sort((a, b) => b.usec - a.usec);
}

/** Deletes the keys matching `pattern`: the store's own helper. */
export { deleteKeys } from "../src/store/redis/connection.ts";
