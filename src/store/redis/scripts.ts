/**
 * The Lua scripts of the Redis store: loaded by static text import (so `deno compile` and
 * `deno bundle` embed them), each prefixed with the libraries its `-- uses:` header line names
 * (`lua/_<name>.lua`, in that order) less the definitions it never reaches (`lua_prune.ts`:
 * Redis runs a script's whole chunk on every call), and run with EVALSHA; a script the server
 * does not know (NOSCRIPT, e.g. after a restart, a SCRIPT FLUSH, or a cluster node that never ran
 * it) is sent once with EVAL, which runs it and caches it on that node.
 *
 * The scripts of the job path (`FUNCTION_SCRIPTS`) run as Redis Functions where the server and
 * the user allow it (`lua_function.ts`: their libraries are built once per server, not at every
 * call): FCALL, and on "Function not found" (a restart without persistence, a FUNCTION FLUSH, a
 * cluster node that never had it) the library is loaded (on every primary of a cluster) and the
 * call sent again. A server without functions (Redis 6), a user without the `fcall` or
 * `function|load` right, or a library of our name holding other code makes the connection fall
 * back to EVALSHA for good (`function_loader.ts`).
 *
 * Every script gets the namespace prefix `{sluice:NS}:` as its only key, `KEYS[1]`, and builds
 * the keys it touches from it: they all share the hash tag, so on a Redis Cluster they hash to
 * the slot of `KEYS[1]` and the script runs on the node that owns it (no CROSSSLOT).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Buffer } from "node:buffer";
import type { RedisClient } from "./connection.ts";
import { ScriptCommand } from "./resp_command.ts";
import { pruneLibraries } from "./lua_prune.ts";
import { type FunctionLibrary, functionLibrary } from "./lua_function.ts";
import {
  isFunctionMissing,
  isFunctionRefused,
  isRefusedBeforeRun,
  loadLibrary,
} from "./function_loader.ts";
import coreLib from "./lua/_core.lua" with { type: "text" };
import deadLettersLib from "./lua/_dead_letters.lua" with { type: "text" };
import depsLib from "./lua/_deps.lua" with { type: "text" };
import enqueueLib from "./lua/_enqueue.lua" with { type: "text" };
import handoffLib from "./lua/_handoff.lua" with { type: "text" };
import idleLib from "./lua/_idle.lua" with { type: "text" };
import jobsLib from "./lua/_jobs.lua" with { type: "text" };
import leaderLib from "./lua/_leader.lua" with { type: "text" };
import leaseReplyLib from "./lua/_lease_reply.lua" with { type: "text" };
import leasesLib from "./lua/_leases.lua" with { type: "text" };
import limitsLib from "./lua/_limits.lua" with { type: "text" };
import observeLib from "./lua/_observe.lua" with { type: "text" };
import pickerLib from "./lua/_picker.lua" with { type: "text" };
import reserveLib from "./lua/_reserve.lua" with { type: "text" };
import schedulesLib from "./lua/_schedules.lua" with { type: "text" };
import uniqueLib from "./lua/_unique.lua" with { type: "text" };
import acquireLeadership from "./lua/acquire_leadership.lua" with { type: "text" };
import appendLogs from "./lua/append_logs.lua" with { type: "text" };
import cancel from "./lua/cancel.lua" with { type: "text" };
import changePriority from "./lua/change_priority.lua" with { type: "text" };
import complete from "./lua/complete.lua" with { type: "text" };
import configure from "./lua/configure.lua" with { type: "text" };
import configureLimits from "./lua/configure_limits.lua" with { type: "text" };
import counts from "./lua/counts.lua" with { type: "text" };
import deleteSchedule from "./lua/delete_schedule.lua" with { type: "text" };
import dependents from "./lua/dependents.lua" with { type: "text" };
import deregisterNode from "./lua/deregister_node.lua" with { type: "text" };
import dueSchedules from "./lua/due_schedules.lua" with { type: "text" };
import enqueue from "./lua/enqueue.lua" with { type: "text" };
import extendLeases from "./lua/extend_leases.lua" with { type: "text" };
import fail from "./lua/fail.lua" with { type: "text" };
import fireSchedule from "./lua/fire_schedule.lua" with { type: "text" };
import getJobs from "./lua/get_jobs.lua" with { type: "text" };
import getLeader from "./lua/get_leader.lua" with { type: "text" };
import getSchedules from "./lua/get_schedules.lua" with { type: "text" };
import heartbeat from "./lua/heartbeat.lua" with { type: "text" };
import idleWait from "./lua/idle_wait.lua" with { type: "text" };
import jobLogs from "./lua/job_logs.lua" with { type: "text" };
import listDead from "./lua/list_dead.lua" with { type: "text" };
import listJobs from "./lua/list_jobs.lua" with { type: "text" };
import listNodes from "./lua/list_nodes.lua" with { type: "text" };
import pauseSchedule from "./lua/pause_schedule.lua" with { type: "text" };
import progress from "./lua/progress.lua" with { type: "text" };
import promoteDue from "./lua/promote_due.lua" with { type: "text" };
import purgeDead from "./lua/purge_dead.lua" with { type: "text" };
import readMetrics from "./lua/read_metrics.lua" with { type: "text" };
import reapDeadNodes from "./lua/reap_dead_nodes.lua" with { type: "text" };
import reclaimExpired from "./lua/reclaim_expired.lua" with { type: "text" };
import registerNode from "./lua/register_node.lua" with { type: "text" };
import release from "./lua/release.lua" with { type: "text" };
import renewLeadership from "./lua/renew_leadership.lua" with { type: "text" };
import requeueDead from "./lua/requeue_dead.lua" with { type: "text" };
import reschedule from "./lua/reschedule.lua" with { type: "text" };
import reserve from "./lua/reserve.lua" with { type: "text" };
import resignLeadership from "./lua/resign_leadership.lua" with { type: "text" };
import setPaused from "./lua/set_paused.lua" with { type: "text" };
import setSchedule from "./lua/set_schedule.lua" with { type: "text" };
import start from "./lua/start.lua" with { type: "text" };
import steal from "./lua/steal.lua" with { type: "text" };

/** The name of one store script. */
export type ScriptName =
  | "acquireLeadership"
  | "appendLogs"
  | "cancel"
  | "changePriority"
  | "complete"
  | "configure"
  | "configureLimits"
  | "counts"
  | "deleteSchedule"
  | "dependents"
  | "deregisterNode"
  | "dueSchedules"
  | "enqueue"
  | "extendLeases"
  | "fail"
  | "fireSchedule"
  | "getJobs"
  | "getLeader"
  | "getSchedules"
  | "heartbeat"
  | "idleWait"
  | "jobLogs"
  | "listDead"
  | "listJobs"
  | "listNodes"
  | "pauseSchedule"
  | "progress"
  | "promoteDue"
  | "purgeDead"
  | "readMetrics"
  | "reapDeadNodes"
  | "reclaimExpired"
  | "registerNode"
  | "release"
  | "renewLeadership"
  | "requeueDead"
  | "reschedule"
  | "reserve"
  | "resignLeadership"
  | "setPaused"
  | "setSchedule"
  | "start"
  | "steal";

const SOURCES: Record<ScriptName, string> = {
  acquireLeadership,
  appendLogs,
  cancel,
  changePriority,
  complete,
  configure,
  configureLimits,
  counts,
  deleteSchedule,
  dependents,
  deregisterNode,
  dueSchedules,
  enqueue,
  extendLeases,
  fail,
  fireSchedule,
  getJobs,
  getLeader,
  getSchedules,
  heartbeat,
  idleWait,
  jobLogs,
  listDead,
  listJobs,
  listNodes,
  pauseSchedule,
  progress,
  promoteDue,
  purgeDead,
  readMetrics,
  reapDeadNodes,
  reclaimExpired,
  registerNode,
  release,
  renewLeadership,
  requeueDead,
  reschedule,
  reserve,
  resignLeadership,
  setPaused,
  setSchedule,
  start,
  steal,
};

const LIBRARIES: Record<string, string> = {
  core: coreLib,
  dead_letters: deadLettersLib,
  deps: depsLib,
  enqueue: enqueueLib,
  handoff: handoffLib,
  idle: idleLib,
  jobs: jobsLib,
  leader: leaderLib,
  lease_reply: leaseReplyLib,
  leases: leasesLib,
  limits: limitsLib,
  observe: observeLib,
  picker: pickerLib,
  reserve: reserveLib,
  schedules: schedulesLib,
  unique: uniqueLib,
};

/** An argument of a script call: text, a number, or bytes (as a `Buffer`, never a Uint8Array). */
export type ScriptArg = string | number | Buffer;

/**
 * The scripts that run as Redis Functions where they can: those of the job path, called once or
 * more per batch of jobs, whose libraries cost more to build at each call than their own work
 * on a small batch. Each may write; a call that Redis refuses at its start for what a plain
 * script meets only at its first write (OOM, NOREPLICAS, MISCONF) goes again as a plain script
 * (`function_loader.ts`).
 */
export const FUNCTION_SCRIPTS: ReadonlySet<ScriptName> = new Set<ScriptName>([
  "enqueue",
  "reserve",
  "complete",
  "fail",
  "start",
  "extendLeases",
  "release",
  "steal",
  "progress",
]);

interface Script {
  source: string;
  sha: string;
  /** Its pruned libraries and its own text (`source` is the two joined). */
  parts: ScriptParts;
  /** The script as a function library (scripts of `FUNCTION_SCRIPTS` only). */
  library?: FunctionLibrary;
}

/**
 * The script `source` with the libraries of its `-- uses:` line in front, less what it never
 * reaches (`pruneLibraries`).
 */
function compile(name: ScriptName, source: string): Script {
  const uses = /^-- uses:(.*)$/m.exec(source)?.[1]?.trim().split(/\s+/) ?? [];
  const texts = uses.map((lib) => {
    const text = LIBRARIES[lib];
    if (text === undefined) throw new Error(`script ${name} uses an unknown library ${lib}`);
    return text;
  });
  const libraries = pruneLibraries(texts.join("\n"), source);
  const full = `${libraries}\n${source}`;
  const sha = createHash("sha1").update(full).digest("hex");
  const parts = { libraries, body: source };
  if (!FUNCTION_SCRIPTS.has(name)) return { source: full, sha, parts };
  return { source: full, sha, parts, library: libraryOf(name, libraries, source) };
}

/**
 * Script `name` as a function library, named by the hash of the library's own code (so a
 * change to the script, its libraries or the rewrite makes a new name: a server never keeps
 * running old code under a current name); undefined (a plain script) when the rewrite refuses
 * it.
 */
function libraryOf(
  name: ScriptName,
  libraries: string,
  source: string,
): FunctionLibrary | undefined {
  const placeholder = `sluice_${name}_${"0".repeat(16)}`;
  let code: string;
  try {
    code = functionLibrary(placeholder, libraries, source);
  } catch {
    return undefined; // tests/redis_functions_test.ts checks that every one is made
  }
  const hash = createHash("sha1").update(code).digest("hex").slice(0, 16);
  const libraryName = `sluice_${name}_${hash}`;
  return { name: libraryName, code: code.replaceAll(placeholder, libraryName) };
}

const SCRIPTS = Object.fromEntries(
  Object.entries(SOURCES).map(([name, source]) => [name, compile(name as ScriptName, source)]),
) as Record<ScriptName, Script>;

/** A script as it is sent: its libraries (pruned) and its own text. */
export interface ScriptParts {
  /** The libraries of its `-- uses:` line, less what it never reaches. */
  libraries: string;
  /** The script's own text. */
  body: string;
}

/** The parts of script `name` (for the bench, which times what a call costs before its work). */
export function scriptParts(name: ScriptName): ScriptParts {
  return SCRIPTS[name].parts;
}

/** The function library of each script of `FUNCTION_SCRIPTS` (for tests and tools). */
export function functionLibraryOf(name: ScriptName): FunctionLibrary | undefined {
  return SCRIPTS[name].library;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/** Runs the store scripts on one connection. Replies carry bulk strings as `Buffer`s. */
export class Scripts {
  #redis: RedisClient;
  #prefix: string;
  /** False once the server or the user refused functions: EVALSHA from then on. */
  #functions = true;

  /** Runs scripts on `redis`; `prefix` is the namespace prefix passed as `KEYS[1]`. */
  constructor(redis: RedisClient, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Runs script `name` with `args` as ARGV; loads it first when the server lacks it. */
  async run(name: ScriptName, args: readonly ScriptArg[]): Promise<unknown> {
    const script = SCRIPTS[name];
    // One array argument, not a spread: a bulk enqueue passes tens of thousands of arguments.
    const argv = ([script.sha, 1, this.#prefix] as ScriptArg[]).concat(args);
    if (script.library && this.#functions) {
      argv[0] = script.library.name;
      try {
        return await this.#fcall(script.library, argv);
      } catch (error) {
        if (isFunctionRefused(error)) {
          this.#functions = false;
        } else if (!isRefusedBeforeRun(error)) {
          throw error;
        }
        argv[0] = script.sha;
      }
    }
    try {
      return await this.#redis.sendCommand(new ScriptCommand("EVALSHA", argv));
    } catch (error) {
      if (!isNoScript(error)) throw error;
      // EVAL runs and caches the script on the node that owns the key (on a cluster, SCRIPT
      // LOAD would go to any node)
      argv[0] = script.source;
      return await this.#redis.sendCommand(new ScriptCommand("EVAL", argv));
    }
  }

  /** FCALL; on "Function not found", loads the library and calls again. */
  async #fcall(library: FunctionLibrary, argv: ScriptArg[]): Promise<unknown> {
    try {
      return await this.#redis.sendCommand(new ScriptCommand("FCALL", argv));
    } catch (error) {
      if (!isFunctionMissing(error)) throw error;
    }
    const failures = await loadLibrary(this.#redis, library);
    // refused (other code under our name, no right to load it): no second call, plain scripts
    const refused = failures.find(isFunctionRefused);
    if (refused !== undefined) throw refused;
    try {
      return await this.#redis.sendCommand(new ScriptCommand("FCALL", argv));
    } catch (error) {
      // still missing: why loading it failed says more (refused, say)
      throw isFunctionMissing(error) && failures.length > 0 ? failures[0] : error;
    }
  }
}
