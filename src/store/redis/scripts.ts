/**
 * The Lua scripts of the Redis store: loaded by static text import (so `deno compile` and
 * `deno bundle` embed them), each prefixed with the libraries its `-- uses:` header line names
 * (`lua/_<name>.lua`, in that order) less the definitions it never reaches (`lua_prune.ts`:
 * Redis runs a script's whole chunk on every call), and run with EVALSHA; a script the server
 * does not know (NOSCRIPT, e.g. after a restart, a SCRIPT FLUSH, or a cluster node that never ran
 * it) is sent once with EVAL, which runs it and caches it on that node.
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
import coreLib from "./lua/_core.lua" with { type: "text" };
import deadLettersLib from "./lua/_dead_letters.lua" with { type: "text" };
import depsLib from "./lua/_deps.lua" with { type: "text" };
import enqueueLib from "./lua/_enqueue.lua" with { type: "text" };
import jobsLib from "./lua/_jobs.lua" with { type: "text" };
import leaderLib from "./lua/_leader.lua" with { type: "text" };
import leaseReplyLib from "./lua/_lease_reply.lua" with { type: "text" };
import leasesLib from "./lua/_leases.lua" with { type: "text" };
import limitsLib from "./lua/_limits.lua" with { type: "text" };
import observeLib from "./lua/_observe.lua" with { type: "text" };
import pickerLib from "./lua/_picker.lua" with { type: "text" };
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
  jobs: jobsLib,
  leader: leaderLib,
  lease_reply: leaseReplyLib,
  leases: leasesLib,
  limits: limitsLib,
  observe: observeLib,
  picker: pickerLib,
  schedules: schedulesLib,
  unique: uniqueLib,
};

/** An argument of a script call: text, a number, or bytes (as a `Buffer`, never a Uint8Array). */
export type ScriptArg = string | number | Buffer;

interface Script {
  source: string;
  sha: string;
}

/**
 * The script `source` with the libraries of its `-- uses:` line in front, less what it never
 * reaches (`pruneLibraries`).
 */
function compile(name: string, source: string): Script {
  const uses = /^-- uses:(.*)$/m.exec(source)?.[1]?.trim().split(/\s+/) ?? [];
  const parts = uses.map((lib) => {
    const text = LIBRARIES[lib];
    if (text === undefined) throw new Error(`script ${name} uses an unknown library ${lib}`);
    return text;
  });
  const full = `${pruneLibraries(parts.join("\n"), source)}\n${source}`;
  return { source: full, sha: createHash("sha1").update(full).digest("hex") };
}

const SCRIPTS = Object.fromEntries(
  Object.entries(SOURCES).map(([name, source]) => [name, compile(name, source)]),
) as Record<ScriptName, Script>;

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/** Runs the store scripts on one connection. Replies carry bulk strings as `Buffer`s. */
export class Scripts {
  #redis: RedisClient;
  #prefix: string;

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
}
