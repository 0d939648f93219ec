/**
 * The jobs a schedule enqueues: one per tick, with the deterministic id `cron:<name>:<tick>`
 * (so a tick stores one job however often it is fired), due at the tick; or one for a manual
 * trigger, due now.
 *
 * @module
 */
import type { StoredSchedule } from "../store/schedule_store.ts";
import type { NewJob } from "../store/store.ts";

/** The id of the job of `schedule`'s tick at `tick` (epoch ms). */
export function tickJobId(schedule: string, tick: number): string {
  return `cron:${schedule}:${tick}`;
}

/** The job `schedule` enqueues as `id`, due at `runAt` (null: now). */
function jobOf(schedule: StoredSchedule, id: string, runAt: number | null): NewJob {
  const { job } = schedule;
  const out: NewJob = {
    id,
    name: job.name,
    queue: job.queue,
    lane: job.lane,
    payload: job.payload,
    runAt,
    maxAttempts: job.maxAttempts,
    backoff: job.backoff,
  };
  if (job.unique) out.unique = job.unique;
  if (job.limitKey) out.limitKey = job.limitKey;
  return out;
}

/**
 * The job of `schedule`'s tick at `tick`. A unique key held by another job keeps the tick from
 * making a job (`reject` becomes `return-existing`: nobody is there to be told).
 */
export function tickJob(schedule: StoredSchedule, tick: number): NewJob {
  const job = jobOf(schedule, tickJobId(schedule.name, tick), tick);
  if (job.unique?.onConflict === "reject") {
    job.unique = { ...job.unique, onConflict: "return-existing" };
  }
  return job;
}

/** The job of a manual trigger of `schedule`, due now, as `id`. */
export function triggerJob(schedule: StoredSchedule, id: string): NewJob {
  return jobOf(schedule, id, null);
}
