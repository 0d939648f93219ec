/**
 * Assertions on enqueued jobs, after Oban's `assert_enqueued`: `assertEnqueued` (a matching job
 * waits to run), `refuteEnqueued` (none does) and `allEnqueued` (the jobs that do). "Enqueued"
 * means not run to an end yet: waiting, delayed (a retry's backoff included) or blocked on
 * prerequisites. When nothing matches, the message shows the nearest enqueued jobs and how each
 * differs, and says whether matching jobs ran already.
 *
 * @module
 */
import type { Engine } from "../engine.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { JobState } from "../job/states.ts";
import type { JobRef } from "../registry/job_ref.ts";
import {
  describeJob,
  describeWanted,
  differences,
  type EnqueuedFilter,
  type Wanted,
  wantedOf,
} from "./enqueued_filter.ts";
import { cronLeaderOf } from "./test_engine.ts";

/** The states an enqueued job is in: it has not run to an end yet. */
export const ENQUEUED_STATES: readonly JobState[] = Object.freeze([
  "waiting",
  "delayed",
  "blocked",
]);

/** States of jobs that left the enqueued ones (shown when an assertion fails). */
const LEFT_STATES: readonly JobState[] = ["active", "completed", "dead", "cancelled"];

/** Candidates an assertion message shows at most. */
const NEAREST_SHOWN = 5;

/** What `assertEnqueued` and `refuteEnqueued` throw: the message says what was found instead. */
export class EnqueuedAssertionError extends Error {
  /** Creates the error with its explanation. */
  constructor(message: string) {
    super(message);
    this.name = "EnqueuedAssertionError";
  }
}

/**
 * The enqueued jobs (waiting, delayed or blocked) of `engine` that match `filter` (every one
 * without a filter), oldest first.
 *
 * @example The emails a signup enqueued
 * ```ts
 * import { allEnqueued, createTestEngine } from "./testing.ts";
 *
 * await using engine = await createTestEngine();
 * const emails = await allEnqueued(engine, { job: "send-email", queue: "emails" });
 * console.log(emails.map((job) => job.payload)); // []
 * ```
 */
export async function allEnqueued<D extends JobRef>(
  engine: Engine,
  filter: EnqueuedFilter<D> = {},
): Promise<JobInfo[]> {
  const wanted = wantedOf(filter, "allEnqueued");
  const jobs = await jobsIn(engine, ENQUEUED_STATES, wanted.queue);
  return jobs.filter((job) => differences(job, wanted).length === 0);
}

/**
 * Asserts that a job matching `filter` is enqueued (waiting, delayed or blocked) and returns it
 * (the oldest, if several match). `job` names the function (definition, `@job` class or name);
 * `payload` is a subset of the stored payload. Throws an `EnqueuedAssertionError` that lists
 * the nearest enqueued jobs and how each differs.
 *
 * @example Assert what a handler enqueued
 * ```ts
 * import { z } from "zod";
 * import { define } from "./mod.ts";
 * import { assertEnqueued, createTestEngine } from "./testing.ts";
 *
 * const Remind = define({ name: "remind", payload: z.object({ user: z.string() }) }, () => {});
 * await using engine = await createTestEngine({ functions: [Remind] });
 * await engine.enqueue(Remind, { user: "ada" }, { delay: 86_400_000 });
 * await assertEnqueued(engine, { job: Remind, payload: { user: "ada" }, delay: 86_400_000 });
 * ```
 */
export async function assertEnqueued<D extends JobRef>(
  engine: Engine,
  filter: EnqueuedFilter<D> & { job: D },
): Promise<JobInfo> {
  const wanted = wantedOf(filter, "assertEnqueued");
  if (wanted.name === undefined) throw new TypeError("assertEnqueued: give the job to look for");
  const jobs = await jobsIn(engine, ENQUEUED_STATES);
  const match = jobs.find((job) => differences(job, wanted).length === 0);
  if (match) return match;
  const lines = [`assertEnqueued: no enqueued job is ${describeWanted(wanted)}.`];
  lines.push(...nearest(jobs, wanted), ...await ranAlready(engine, wanted));
  throw new EnqueuedAssertionError(lines.join("\n"));
}

/**
 * Asserts that no job matching `filter` is enqueued (waiting, delayed or blocked); with no
 * filter, that no job at all is. Throws an `EnqueuedAssertionError` listing those that are.
 */
export async function refuteEnqueued<D extends JobRef>(
  engine: Engine,
  filter: EnqueuedFilter<D> = {},
): Promise<void> {
  const wanted = wantedOf(filter, "refuteEnqueued");
  const found = (await jobsIn(engine, ENQUEUED_STATES, wanted.queue))
    .filter((job) => differences(job, wanted).length === 0);
  if (found.length === 0) return;
  const lines = [
    `refuteEnqueued: ${found.length} enqueued job${found.length === 1 ? " is" : "s are"} ` +
    `${describeWanted(wanted)}:`,
    ...found.slice(0, NEAREST_SHOWN).map((job) => `  - ${describeJob(job)}`),
  ];
  if (found.length > NEAREST_SHOWN) lines.push(`  (and ${found.length - NEAREST_SHOWN} more)`);
  throw new EnqueuedAssertionError(lines.join("\n"));
}

/** The lines naming the enqueued jobs nearest to `wanted`, each with how it differs. */
function nearest(jobs: JobInfo[], wanted: Wanted): string[] {
  if (jobs.length === 0) return ["No job is enqueued (waiting, delayed or blocked)."];
  const ranked = jobs
    .map((job) => ({ job, off: differences(job, wanted) }))
    .map((c) => ({ ...c, score: c.off.length + (c.job.name === wanted.name ? 0 : 100) }))
    .sort((a, b) => a.score - b.score);
  const shownJobs = ranked.slice(0, NEAREST_SHOWN);
  const sameFunction = jobs.filter((job) => job.name === wanted.name).length;
  const lines = [
    `${count(jobs.length, "job")} enqueued (waiting, delayed or blocked), ` +
    `${sameFunction} of ${wanted.name}; the nearest${
      ranked.length > shownJobs.length ? ` ${shownJobs.length}` : ""
    }:`,
  ];
  for (const { job, off } of shownJobs) {
    lines.push(`  - ${describeJob(job)}`, `      but ${off.join("; ")}`);
  }
  return lines;
}

/** A line counting jobs matching `wanted` that are running or ended already, if any. */
async function ranAlready(engine: Engine, wanted: Wanted): Promise<string[]> {
  const left = (await jobsIn(engine, LEFT_STATES, wanted.queue))
    .filter((job) => differences(job, wanted).length === 0);
  if (left.length === 0) return [];
  const byState = LEFT_STATES
    .map((state) => [state, left.filter((job) => job.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return [
    `Matching jobs that are not enqueued any more: ${byState.join(", ")} (did a drain run them?).`,
  ];
}

/** Every job of `engine` in `states` (of `queue`, or of every queue), oldest first. */
async function jobsIn(
  engine: Engine,
  states: readonly JobState[],
  queue?: string,
): Promise<JobInfo[]> {
  // a test engine's cron leader fires the ticks due by now first, as a live leader would have
  await cronLeaderOf(engine)?.fireDue();
  const queues = await engine.queues();
  const jobs: JobInfo[] = [];
  for (const name of queue === undefined ? queues : queues.filter((q) => q === queue)) {
    for (const state of states) {
      let cursor: string | undefined;
      do {
        const page = await engine.listJobs({
          queue: name,
          state,
          limit: 1_000,
          ...(cursor === undefined ? {} : { cursor }),
        });
        jobs.push(...page.jobs);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
  }
  return jobs.sort((a, b) =>
    a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? " is" : "s are"}`;
}
