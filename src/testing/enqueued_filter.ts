/**
 * What the enqueue assertions look for, and how far a job is from it: the filter a test gives
 * (function, payload subset, queue, lane, delay), checked, and the list of the ways a job
 * differs from it.
 *
 * @module
 */
import { isLane, type Lane } from "../job/lanes.ts";
import type { JobInfo } from "../job/job_info.ts";
import { assertQueueName } from "../job/queue_name.ts";
import { definitionOf } from "../registry/job_decorator.ts";
import type { JobRef, PayloadOf } from "../registry/job_ref.ts";
import { payloadDifferences, type PayloadMatch, shown } from "./payload_match.ts";

/** What an enqueue assertion looks for: a job matches when every given field does. */
export interface EnqueuedFilter<D extends JobRef = JobRef> {
  /** The function: a definition, a `@job` class or a name. */
  job?: D;
  /**
   * A subset of its payload, as stored (the schema's output: defaults filled, unknown keys
   * stripped): each key given must match, arrays item by item; other keys are not looked at.
   */
  payload?: PayloadMatch<PayloadOf<D>>;
  /** Its queue. */
  queue?: string;
  /** The lane it was enqueued in (before a dependent's priority raised it). */
  priority?: Lane;
  /** Ms from its enqueue to its due time (`delay: 5_000` for `{ delay: 5_000 }`; 0: due at once). */
  delay?: number;
}

/** A checked filter. */
export interface Wanted {
  /** Function name. */
  name?: string;
  /** Whether a payload was given (it may be `null`). */
  hasPayload: boolean;
  /** The payload subset. */
  payload?: unknown;
  /** Queue. */
  queue?: string;
  /** Lane. */
  priority?: Lane;
  /** Delay. */
  delay?: number;
}

const FILTER_KEYS = new Set(["job", "payload", "queue", "priority", "delay"]);

/** Checks `filter` for assertion `where`; a `TypeError` or `RangeError` names what is wrong. */
export function wantedOf(filter: EnqueuedFilter, where: string): Wanted {
  if (typeof filter !== "object" || filter === null) {
    throw new TypeError(
      `${where}: give a filter such as { job, payload?, queue?, priority?, delay? }`,
    );
  }
  for (const key of Object.keys(filter)) {
    if (!FILTER_KEYS.has(key)) {
      throw new TypeError(
        `${where}: unknown filter field ${JSON.stringify(key)} (known: ${
          [...FILTER_KEYS].join(", ")
        })`,
      );
    }
  }
  const wanted: Wanted = { hasPayload: filter.payload !== undefined, payload: filter.payload };
  if (filter.job !== undefined) wanted.name = nameOf(filter.job, where);
  if (filter.queue !== undefined) {
    assertQueueName(filter.queue, where);
    wanted.queue = filter.queue;
  }
  if (filter.priority !== undefined) {
    if (!isLane(filter.priority)) {
      throw new TypeError(
        `${where}: priority must be a lane name, got ${JSON.stringify(filter.priority)}`,
      );
    }
    wanted.priority = filter.priority;
  }
  if (filter.delay !== undefined) {
    if (!Number.isSafeInteger(filter.delay) || filter.delay < 0) {
      throw new RangeError(
        `${where}: delay must be a whole number of ms >= 0, got ${filter.delay}`,
      );
    }
    wanted.delay = filter.delay;
  }
  return wanted;
}

function nameOf(job: JobRef, where: string): string {
  if (typeof job === "string") return job;
  const name = definitionOf(job)?.name;
  if (name === undefined) {
    throw new TypeError(
      `${where}: job must be a definition made by define(), a @job class or a name`,
    );
  }
  return name;
}

/** The lane `job` was enqueued in. */
export function requestedLane(job: JobInfo): Lane {
  return job.requestedPriority ?? job.priority;
}

/** Ms from `job`'s enqueue to its due time. */
export function delayOf(job: JobInfo): number {
  return job.runAt - job.enqueuedAt;
}

/** The ways `job` differs from `wanted`, as text (`queue is "default"`); none when it matches. */
export function differences(job: JobInfo, wanted: Wanted): string[] {
  const out: string[] = [];
  if (wanted.name !== undefined && job.name !== wanted.name) out.push(`function is ${job.name}`);
  if (wanted.queue !== undefined && job.queue !== wanted.queue) {
    out.push(`queue is ${JSON.stringify(job.queue)}`);
  }
  if (wanted.priority !== undefined && requestedLane(job) !== wanted.priority) {
    out.push(`priority is ${requestedLane(job)}`);
  }
  if (wanted.delay !== undefined && delayOf(job) !== wanted.delay) {
    out.push(`delay is ${delayOf(job)} ms`);
  }
  if (wanted.hasPayload) {
    for (const d of payloadDifferences(wanted.payload, job.payload)) {
      out.push(`${d.path} is ${shown(d.actual)}, expected ${shown(d.expected)}`);
    }
  }
  return out;
}

/** `wanted` as text: `send-email with queue "emails", payload {"to":"a@b.co"}`. */
export function describeWanted(wanted: Wanted): string {
  const parts: string[] = [];
  if (wanted.queue !== undefined) parts.push(`queue ${JSON.stringify(wanted.queue)}`);
  if (wanted.priority !== undefined) parts.push(`priority ${wanted.priority}`);
  if (wanted.delay !== undefined) parts.push(`delay ${wanted.delay} ms`);
  if (wanted.hasPayload) parts.push(`payload ${shown(wanted.payload)}`);
  const what = wanted.name === undefined ? "a job of any function" : wanted.name;
  return parts.length ? `${what} with ${parts.join(", ")}` : what;
}

/** `job` as one line of text. */
export function describeJob(job: JobInfo): string {
  return `${job.id} ${job.name} (${job.state}), queue ${JSON.stringify(job.queue)}, ` +
    `priority ${requestedLane(job)}, delay ${delayOf(job)} ms, payload ${shown(job.payload)}`;
}
