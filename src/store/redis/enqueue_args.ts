/**
 * The arguments and reply of `lua/enqueue.lua`: 15 fields per job, and per group of jobs a reply
 * that either lists the outcomes or names why the group was refused.
 *
 * @module
 */
import { DuplicateJobError, UnknownPrerequisiteError } from "../../job/enqueue_errors.ts";
import { laneIndex } from "../../job/lanes.ts";
import type { UniqueLock, UniqueScope } from "../../job/unique.ts";
import type { EnqueueOutcome, EnqueueRefusal, NewJob } from "../store.ts";
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

/** The 15 script arguments of one job. */
export function enqueueArgs(job: NewJob): ScriptArg[] {
  return [
    job.id,
    job.name,
    job.queue,
    laneIndex(job.lane),
    toBuffer(job.payload),
    job.runAt ?? "",
    job.delay ?? "",
    job.maxAttempts,
    job.backoff ?? "",
    (job.dependsOn ?? []).join("\n"),
    POLICY_LETTERS[job.onPrerequisiteFailure ?? "fail"],
    ...uniqueArgs(job.unique),
    job.limitKey ?? "",
  ];
}

/** The outcomes of a group of `count` jobs from its reply, or the refusal it names. */
export function decodeEnqueue(reply: unknown, count: number): EnqueueOutcome[] | EnqueueRefusal {
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
  f.text(); // "K"
  return Array.from({ length: count }, () => ({
    id: f.text(),
    created: f.text() === "1",
    state: stateOfLetter(f.text()),
  }));
}
