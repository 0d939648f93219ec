/**
 * What the stores record for observers, in the same shape in both: job events in a shared
 * stream (readers resume from an event id) and metrics aggregated per (queue, lane, function),
 * per minute for a day and in total. The scripts that change jobs record them in the same step
 * (`redis/lua/_observe.lua`, decoded by `redis/event_lines.ts`; `memory/observe.ts` mirrors it).
 *
 * @module
 */
import { type Lane, LANES } from "../job/lanes.ts";
import type { JobErrorInfo } from "../job/job.ts";
import type { JobEvents } from "../job/events.ts";

/** The job events the stores record (the rest of `JobEvents` is in-process only). */
export type StoredEventType =
  | "enqueued"
  | "active"
  | "completed"
  | "failed"
  | "cancelled"
  | "requeued"
  | "progress";

/** A recorded event: its id in the stream, its type, and the event. */
export interface StoredEvent<T extends StoredEventType = StoredEventType> {
  /** Unique and growing within the stream: `<entry id>/<index in the entry>`. */
  id: string;
  /** The type. */
  type: T;
  /** The event, as in-process listeners get it. */
  event: JobEvents[T];
}

/** A page of events. */
export interface EventBatch {
  /** The events after the asked id, oldest first. */
  events: StoredEvent[];
  /** The id to resume after (the last event's, or the asked one when none came). */
  last: string;
  /** True when the stream no longer holds the asked id: events may have been missed. */
  gap: boolean;
}

/** What to read of the stream. */
export interface EventQuery {
  /** Read the events after this id (default: only new ones, from now). "0": from the start. */
  after?: string;
  /** At most this many events (default 1,000). */
  limit?: number;
  /** Wait up to this long (ms) for an event when none is there (default 0: do not wait). */
  waitMs?: number;
  /** Stops the wait. */
  signal?: AbortSignal;
}

/** Histogram bucket upper bounds (ms); a last bucket takes the rest. Mirrors `_observe.lua`. */
export const BUCKET_EDGES_MS: readonly number[] = [
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1_000,
  2_500,
  5_000,
  10_000,
  30_000,
  60_000,
  300_000,
];

/** A histogram: count, sum (ms) and the count of each bucket (not cumulative). */
export interface Histogram {
  /** Observations. */
  count: number;
  /** Their sum (ms). */
  sumMs: number;
  /** Per bucket of `BUCKET_EDGES_MS` (and one more for the rest). */
  buckets: number[];
}

/** The metrics of one (queue, lane, function). */
export interface MetricGroup {
  /** Queue. */
  queue: string;
  /** Lane the jobs were served from. */
  lane: Lane;
  /** Function name. */
  name: string;
  /** Jobs completed. */
  completed: number;
  /** Attempts failed and retried (a lost lease too). */
  failed: number;
  /** Jobs dead-lettered. */
  dead: number;
  /** Jobs cancelled. */
  cancelled: number;
  /** Dead jobs requeued. */
  requeued: number;
  /** Times a job was set aside because a limit of its function or queue held it. */
  throttled: number;
  /** Run time of ended attempts. */
  run: Histogram;
  /** Wait from due to start of ended attempts. */
  wait: Histogram;
}

/** Metrics in total and per minute. */
export interface MetricsSnapshot {
  /** Since the namespace began. */
  total: MetricGroup[];
  /** The newest minutes asked for (epoch minute), oldest first; minutes with nothing left out. */
  minutes: { minute: number; groups: MetricGroup[] }[];
}

/**
 * An error from the JSON text a store was given, as an event carries it: tabs and newlines
 * read as spaces (an event is one line), and text that is not JSON becomes the message.
 */
export function parseError(raw: string): JobErrorInfo {
  const text = raw.replace(/[\t\n]/g, " ");
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) return parsed as JobErrorInfo;
  } catch {
    // not JSON: kept as the message
  }
  return { name: "Error", message: text };
}

/** The counter slots of a group in the order `_observe.lua` stores them. */
export const SLOTS = [
  "completed",
  "failed",
  "dead",
  "cancelled",
  "requeued",
  "throttled",
  "runCount",
  "runSum",
  "waitCount",
  "waitSum",
] as const;

/** A group from its key (`queue TAB lane index TAB name`) and its slots. */
export function metricGroup(key: string, slots: readonly number[]): MetricGroup {
  const [queue, lane, name] = key.split("\t");
  const buckets = BUCKET_EDGES_MS.length + 1;
  const at = (i: number): number => slots[i] ?? 0;
  const first = SLOTS.length;
  return {
    queue: queue!,
    lane: LANES[Number(lane)] ?? "normal",
    name: name ?? "",
    completed: at(0),
    failed: at(1),
    dead: at(2),
    cancelled: at(3),
    requeued: at(4),
    throttled: at(5),
    run: {
      count: at(6),
      sumMs: at(7),
      buckets: Array.from({ length: buckets }, (_, i) => at(first + i)),
    },
    wait: {
      count: at(8),
      sumMs: at(9),
      buckets: Array.from({ length: buckets }, (_, i) => at(first + buckets + i)),
    },
  };
}
