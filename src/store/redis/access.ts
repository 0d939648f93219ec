/**
 * Redis ACL: the commands, keys and channels the store needs (`aclRules`, the rule set
 * docs/security.md shows), and the check a store runs when it starts (`checkAccess`), so a user
 * without the rights fails at once with a `StoreAccessError` naming the first missing permission
 * instead of failing job by job later. The check is one script that asks Redis
 * (`redis.acl_check_cmd`, Redis 7+) about every command the store and its scripts send; on
 * older servers only the script call itself is checked.
 *
 * @module
 */
import { type RedisClient, waitUntilReady } from "./connection.ts";
import { accessError, refusedPermission, type StoreClientInfo } from "./connection_state.ts";
import { StoreAccessError } from "../../job/errors.ts";

/**
 * Every command the store sends, as a sample call: `K` stands for a key of the namespace, `C`
 * for a channel of it. Client side: EVALSHA/EVAL, SUBSCRIBE, the event-stream reads and a few
 * reads; the rest run inside the Lua scripts (ACL applies there too).
 */
const SAMPLE_CALLS: readonly string[] = [
  "ping",
  "evalsha 0000000000000000000000000000000000000000 1 K",
  "eval x 1 K",
  "subscribe C",
  "unsubscribe C",
  "publish C m",
  "xrange K - +",
  "xrevrange K + -",
  "xread BLOCK 1 STREAMS K 0",
  "xadd K * f v",
  "xtrim K MAXLEN 1",
  "time",
  "get K",
  "set K v",
  "incr K",
  "incrby K 1",
  "decr K",
  "del K",
  "exists K",
  "expire K 1",
  "hget K f",
  "hmget K f",
  "hgetall K",
  "hset K f v",
  "hdel K f",
  "hincrby K f 1",
  "hincrbyfloat K f 1",
  "hlen K",
  "lindex K 0",
  "llen K",
  "lpop K",
  "lpush K v",
  "rpush K v",
  "lrange K 0 1",
  "lrem K 0 v",
  "ltrim K 0 1",
  "sadd K m",
  "srem K m",
  "srandmember K 1",
  "smembers K",
  "smismember K m",
  "zadd K 0 m",
  "zcard K",
  "zcount K 0 1",
  "zincrby K 1 m",
  "zmscore K m",
  "zpopmin K",
  "zrange K 0 1",
  "zrangebyscore K 0 1",
  "zrank K m",
  "zrem K m",
  "zremrangebyrank K 0 1",
  "zscore K m",
  "pubsub numsub C",
];

/**
 * The ACL rule of a command the store sends only one subcommand of, where the whole command
 * would grant more: PUBSUB CHANNELS would list other namespaces' channels.
 */
const SUBCOMMAND_RULES: Readonly<Record<string, string>> = { pubsub: "pubsub|numsub" };

/**
 * A right the store uses when it has it, not checked at start: the job path's scripts run as
 * Redis Functions with FCALL (scripts.ts); without it, as plain scripts.
 */
const FUNCTION_CALL = "fcall";

/**
 * The rights to load function libraries (FUNCTION LOAD) and to check one of Sluice's name found
 * already there (FUNCTION LIST), also optional. Loading lets a user replace any library on the
 * server, including one that users of other namespaces call: only a user of every namespace gets
 * them.
 */
const FUNCTION_LOAD: readonly string[] = ["function|load", "function|list"];

/** The extra commands a cluster client needs (ioredis's slot map and ready check). */
const CLUSTER_CALLS: readonly string[] = ["cluster slots", "cluster info"];

/** The command names the store sends, in `SAMPLE_CALLS` order. */
export const STORE_COMMANDS: readonly string[] = SAMPLE_CALLS.map((call) => call.split(" ")[0]!);

/**
 * The ACL rules a Sluice user needs (after `on >password`): its namespace's keys and channels
 * (every namespace with `*`), and exactly the store's commands, plus `info` (ioredis's ready
 * check), `quit`, and `fcall` (optional: the job path's scripts run as Redis Functions with it,
 * as plain scripts without), with `function|load` and `function|list` for a user of every
 * namespace only (see `FUNCTION_LOAD`); `cluster` adds `cluster|slots` and `cluster|info` (the
 * cluster client's slot map and ready check).
 */
export function aclRules(namespace = "*", options: { cluster?: boolean } = {}): string {
  const commands = [
    ...STORE_COMMANDS,
    "info",
    "quit",
    FUNCTION_CALL,
    ...(namespace === "*" ? FUNCTION_LOAD : []),
    ...(options.cluster ? CLUSTER_CALLS.map((c) => c.replace(" ", "|")) : []),
  ];
  return [
    `~{sluice:${namespace}}:*`,
    "resetchannels",
    `&{sluice:${namespace}}:*`,
    "-@all",
    ...commands.map((c) => `+${SUBCOMMAND_RULES[c] ?? c}`),
  ].join(" ");
}

const PROBE = `
if not redis.acl_check_cmd then return "" end
for i = 1, #ARGV do
  local parts = {}
  for part in string.gmatch(ARGV[i], "%S+") do
    if part == "K" then part = KEYS[1] .. "access-check"
    elseif part == "C" then part = KEYS[1] .. "wake:access-check" end
    parts[#parts + 1] = part
  end
  local ok, allowed = pcall(redis.acl_check_cmd, unpack(parts))
  if ok and not allowed then return ARGV[i] end
end
return ""
`;

/** How a refused sample call reads: "the 'hset' command on keys {sluice:app}:*". */
function describeCall(call: string, prefix: string): string {
  const command = call.split(" ")[0]!;
  const name = SUBCOMMAND_RULES[command] ?? command;
  if (call.includes(" K")) return `the '${name}' command on keys ${prefix}*`;
  if (call.includes(" C")) return `the '${name}' command on channels ${prefix}*`;
  return `the '${call.replace(" ", "|")}' command`;
}

/**
 * Checks that the connection's user may send every command the store needs on the namespace
 * `prefix` names; rejects with a `StoreAccessError` naming the first missing permission.
 */
export async function checkAccess(redis: RedisClient, prefix: string): Promise<void> {
  const info = redis as RedisClient & Partial<StoreClientInfo>;
  const refuse = (permission: string, cause?: unknown) =>
    accessError(info.where ?? "the given client", info.user ?? "default", permission, cause);
  const calls = "nodes" in redis ? [...SAMPLE_CALLS, ...CLUSTER_CALLS] : SAMPLE_CALLS;
  let refused: string;
  try {
    refused = String(await redis.call("EVAL", PROBE, 1, prefix, ...calls));
  } catch (error) {
    // the probe itself was refused: EVAL, or the namespace's keys
    const original = error instanceof StoreAccessError ? error.cause : error;
    const permission = refusedPermission(original);
    if (permission === null) throw error;
    throw refuse(/keys/.test(permission) ? describeCall("eval K", prefix) : permission, original);
  }
  if (refused !== "") throw refuse(describeCall(refused, prefix));
}

/**
 * Checks that Redis answers (a cluster within the connect timeout: its client queues commands
 * until it has the slot map) and lets the user do what the store needs on the namespace `prefix`
 * names (see `checkAccess`).
 */
export async function checkStore(redis: RedisClient, prefix: string): Promise<void> {
  if ("nodes" in redis) await waitUntilReady(redis);
  await redis.ping();
  await checkAccess(redis, prefix);
}
