/**
 * The enqueue verb and the arguments and reply of `lua/enqueue.lua`: 7 fields per job, 9 more for
 * a job that has any of the optional ones, and per group of jobs a reply that either lists the
 * outcomes or names why the group was refused.
 *
 * @module
 */
import { DuplicateJobError, UnknownPrerequisiteError } from "../../job/enqueue_errors.ts";
import { laneIndex } from "../../job/lanes.ts";
import type { UniqueLock, UniqueScope } from "../../job/unique.ts";
import type { EnqueueOutcome, EnqueueRefusal, GroupOutcome, NewJob } from "../store.ts";
import type { ScriptHost } from "./script_host.ts";
import { stateOfLetter } from "./job_fields.ts";
import { Frames, num, text, toBuffer } from "./record.ts";
import type { ScriptArg } from "./scripts.ts";

const POLICY_LETTERS = { fail: "", skip: "s", wait: "w" } as const;
const CONFLICT_LETTERS = { reject: "", "return-existing": "e", replace: "r" } as const;

/** The stored letter (or window in ms) of a unique scope. */
function scopeField(scope: UniqueScope): string | number {
  switch (scope) {
    case "queued":
      return "q";
    case "active":
      return "a";
    case "until-complete":
      return "c";
    default:
      return scope;
  }
}

/** The stored key, scope and conflict letter of a unique lock ("" each for none). */
export function uniqueArgs(
  unique: UniqueLock | null | undefined,
): [string, string | number, string] {
  if (!unique) return ["", "", ""];
  return [unique.key, scopeField(unique.scope), CONFLICT_LETTERS[unique.onConflict]];
}

/**
 * The script arguments of one job: id, name, queue, lane, payload, maxAttempts and "" when it
 * has none of the optional fields (no runAt, delay, backoff, prerequisite, failure policy other
 * than fail, unique lock or limit key), else "+" and those nine (`_enqueue.lua`).
 */
export function enqueueArgs(job: NewJob): ScriptArg[] {
  const head: ScriptArg[] = [
    job.id,
    job.name,
    job.queue,
    laneIndex(job.lane),
    toBuffer(job.payload),
    job.maxAttempts,
  ];
  const policy = POLICY_LETTERS[job.onPrerequisiteFailure ?? "fail"];
  const plain = job.runAt == null && !job.delay && job.backoff == null &&
    !job.dependsOn?.length && policy === "" && !job.unique && !job.limitKey;
  if (plain) {
    head.push("");
    return head;
  }
  head.push(
    "+",
    job.runAt ?? "",
    job.delay ?? "",
    job.backoff ?? "",
    (job.dependsOn ?? []).join("\n"),
    policy,
    ...uniqueArgs(job.unique),
    job.limitKey ?? "",
  );
  return head;
}

/** The outcomes of the group `jobs` from its reply, or the refusal it names. */
export function decodeEnqueue(
  reply: unknown,
  jobs: readonly NewJob[],
): EnqueueOutcome[] | EnqueueRefusal {
  if (Array.isArray(reply)) {
    const [, kind, index, ...rest] = reply.map(text);
    const at = num(index);
    if (kind === "dup") {
      const [key, holder, state, why] = rest;
      return new DuplicateJobError(at, key!, holder!, stateOfLetter(state!), why);
    }
    return new UnknownPrerequisiteError(at, rest[0]!);
  }
  const f = new Frames(reply);
  const codes = f.text(); // "K", then two letters per job
  if (codes.length !== 1 + 2 * jobs.length) throw new Error("RedisStore: malformed enqueue reply");
  return jobs.map((job, k) => {
    const created = codes[1 + 2 * k];
    return {
      id: created === "2" ? f.text() : job.id,
      created: created === "1",
      state: stateOfLetter(codes[2 + 2 * k]!),
    };
  });
}

/** Stores groups of jobs in one `enqueue` call (`Store.enqueueGroups`); empty groups skip it. */
export async function enqueueGroups(
  host: ScriptHost,
  groups: readonly (readonly NewJob[])[],
): Promise<GroupOutcome[]> {
  const stored = groups.filter((g) => g.length > 0);
  if (stored.length === 0) return groups.map(() => []);
  const args: ScriptArg[] = [host.now(), host.opts, stored.map((g) => g.length).join(",")];
  for (const group of stored) for (const job of group) args.push(...enqueueArgs(job));
  const replies = await host.run("enqueue", args) as unknown[];
  let next = 0;
  return groups.map((g) => g.length === 0 ? [] : decodeEnqueue(replies[next++], g));
}
