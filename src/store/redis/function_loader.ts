/**
 * Redis Functions for the store's scripts (see `scripts.ts`): loading a library where it is
 * missing, and reading what a failed FCALL means.
 *
 * - "Function not found": the server lacks the library (first use, a restart without
 *   persistence, FUNCTION FLUSH, a cluster node that never had it): load it, call again.
 * - Functions refused for good: a server without them (Redis 6: "unknown command"), a user
 *   without the `fcall` or `function|load` right, a library the server cannot compile, or one
 *   under our name that holds other code: plain scripts (EVALSHA) serve instead.
 * - Refused before it ran, for this call only: a function without flags is refused at its start
 *   when Redis is full (OOM), misses its replicas (NOREPLICAS) or cannot persist (MISCONF),
 *   where a plain script runs until its first write and may finish without one (a reserve that
 *   finds nothing, a complete whose lease was lost). Sending that call as a plain script keeps
 *   the plain script's behaviour.
 *
 * @module
 */
import { Cluster } from "ioredis";
import { loggerOf, type RedisClient } from "./connection.ts";
import type { FunctionLibrary } from "./lua_function.ts";

/** How the refusal of a library of our name that holds other code begins. */
const FOREIGN_LIBRARY = "sluice: a function library of this name holds other code";

/** The texts a store error carries: its message and its cause's (the Redis reply). */
function messagesOf(error: unknown): string[] {
  const messages = [error instanceof Error ? error.message : String(error)];
  if (error instanceof Error && error.cause !== undefined) {
    messages.push(error.cause instanceof Error ? error.cause.message : String(error.cause));
  }
  return messages;
}

/** The server does not have the function (the FCALL did not run). */
export function isFunctionMissing(error: unknown): boolean {
  return messagesOf(error).some((m) => /^ERR Function not found/.test(m));
}

/**
 * Functions are refused on this connection for good (the FCALL or FUNCTION LOAD did not run):
 * the server has none (Redis 7 quotes the command with `'`, Redis 6 with a backtick), the user may
 * not call or load them, the server cannot compile the library, or a library of our name holds
 * other code.
 */
export function isFunctionRefused(error: unknown): boolean {
  return messagesOf(error).some((m) =>
    /^ERR unknown command [`'](fcall|function)[`']/i.test(m) ||
    /^NOPERM\b.*'(fcall|function\|load)'/is.test(m) ||
    /^ERR Error compiling function/.test(m) ||
    m.startsWith(FOREIGN_LIBRARY)
  );
}

/**
 * The FCALL was refused before it ran, for a reason a plain script meets only at its first write
 * (Redis full, too few replicas, failing persistence): this call goes as a plain script.
 */
export function isRefusedBeforeRun(error: unknown): boolean {
  return messagesOf(error).some((m) =>
    /\bOOM command not allowed\b/.test(m) || /^NOREPLICAS\b/.test(m) || /^MISCONF\b/.test(m)
  );
}

/**
 * Loads `library` where it is missing: on the server, or on every primary of a cluster (one
 * that fails is skipped: the node the call goes to may well have it now). A library of the name
 * that exists already is checked to hold this code (one that cannot be read back counts as
 * other code): a user allowed `function|load` could have put other code under it. Returns the
 * failures.
 */
export async function loadLibrary(
  redis: RedisClient,
  library: FunctionLibrary,
): Promise<unknown[]> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  const results = await Promise.allSettled(nodes.map((node) => loadOn(node, library)));
  const failures = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
  if (failures.some((f) => messagesOf(f).some((m) => m.startsWith(FOREIGN_LIBRARY)))) {
    loggerOf(redis).warn(
      `Redis function library ${library.name} holds code this Sluice did not write, or could ` +
        "not be read back (FUNCTION LIST); its scripts run as plain scripts",
    );
  }
  return failures;
}

async function loadOn(node: RedisClient, library: FunctionLibrary): Promise<void> {
  try {
    await node.call("FUNCTION", "LOAD", library.code);
  } catch (error) {
    if (!messagesOf(error).some((m) => /already exists/.test(m))) throw error;
    // a library that cannot be checked (no right to FUNCTION LIST) is not trusted either
    const listed = await node.call("FUNCTION", "LIST", "LIBRARYNAME", library.name, "WITHCODE")
      .catch(() => null);
    const code = codeOf(listed, library.name);
    if (code !== library.code) throw new Error(`${FOREIGN_LIBRARY}: ${library.name}`);
  }
}

/** The code of library `name` in a FUNCTION LIST ... WITHCODE reply (RESP2 flat pairs). */
function codeOf(reply: unknown, name: string): string | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
    if (fields.get("library_name") === name) return String(fields.get("library_code"));
  }
  return undefined;
}
