/**
 * What the memory store records for observers, as `lua/_observe.lua` does in Redis: the events
 * of one verb go into one entry of a capped stream, and metrics are added up per (queue, lane,
 * function), per minute (for a day) and in total.
 *
 * @module
 */
import { type Lane, laneIndex } from "../../job/lanes.ts";
import type { JobEvents } from "../../job/events.ts";
import type { JobState } from "../../job/states.ts";
import {
  BUCKET_EDGES_MS,
  type EventBatch,
  type EventQuery,
  metricGroup,
  type MetricsSnapshot,
  parseError,
  SLOTS,
  type StoredEvent,
  type StoredEventType,
} from "../observations.ts";
import type { MemJob } from "./mem_records.ts";

/** How much the memory store records (as the Redis store's options say). */
export interface ObserveOptions {
  /** Events kept, about (whole store calls are dropped, oldest first; 0: no events). */
  events: number;
  /** Aggregate metrics. */
  metrics: boolean;
}

const BUCKETS = BUCKET_EDGES_MS.length + 1;
const WIDTH = SLOTS.length + 2 * BUCKETS;
const DAY_MINUTES = 24 * 60;

const OUTCOMES = ["completed", "failed", "dead", "cancelled", "requeued", "throttled"] as const;
type Outcome = typeof OUTCOMES[number];

/** Events and metrics of one memory store. */
export class MemObserver {
  #options: ObserveOptions;
  /**
   * The stream: one entry per verb, its events column by column (an event object, and its
   * `StoredEvent` with the id `<entry id>/<index>`, are made only when read: most never are).
   */
  #entries: Entry[] = [];
  #kept = 0;
  /** The events of the verb in progress. */
  #pending: EventColumns = emptyColumns();
  #lastMs = 0;
  #seq = 0;
  #total = new Map<string, number[]>();
  #minutes = new Map<number, Map<string, number[]>>();
  #newEntry: (() => void)[] = [];
  /** Metrics group keys by function, queue and lane index (see `#groupKey`). */
  #groupKeys = new Map<string, Map<string, string[]>>();

  /** Records as `options` say. */
  constructor(options: ObserveOptions) {
    this.#options = options;
  }

  /** Records an event of `job` (its fields at the time) at `now`. */
  event<T extends StoredEventType>(
    type: T,
    job: MemJob,
    now: number,
    fields: Omit<JobEvents[T], "id" | "name" | "queue" | "lane" | "at">,
  ): void {
    if (this.#options.events === 0) return;
    const pending = this.#pending;
    pending.types.push(type);
    pending.ids.push(job.id);
    pending.names.push(job.name);
    pending.queues.push(job.queue);
    pending.lanes.push(job.lane);
    pending.ats.push(now);
    pending.fields.push(fields);
  }

  /** `job`'s attempt (started at `started`, due since `since`) completed at `now`. */
  completed(job: MemJob, attempt: number, started: number | null, since: number, now: number) {
    const run = started === null ? 0 : now - started;
    this.event("completed", job, now, { attempt, durationMs: run });
    this.#metric(job, "completed", run, started === null ? null : started - since, now);
  }

  /**
   * `job`'s attempt (or, `started` null, none) failed at `now`, leaving it `state` (retried at
   * `retryAt`, dead or cancelled) with `error` (JSON text).
   */
  failed(
    job: MemJob,
    attempt: number,
    started: number | null,
    since: number,
    state: JobState,
    retryAt: number | null,
    error: string,
    now: number,
  ): void {
    const run = started === null ? null : now - started;
    this.event("failed", job, now, {
      attempt,
      durationMs: run ?? 0,
      state,
      retryAt,
      error: parseError(error),
    });
    const outcome = state === "dead" ? "dead" : state === "cancelled" ? "cancelled" : "failed";
    this.#metric(job, outcome, run, started === null ? null : started - since, now);
    if (state === "cancelled") this.event("cancelled", job, now, {});
  }

  /** `job` was cancelled without running. */
  cancelled(job: MemJob, now: number): void {
    this.event("cancelled", job, now, {});
    this.#metric(job, "cancelled", null, null, now);
  }

  /** `job` was set aside by a limit. */
  throttled(job: MemJob, now: number): void {
    this.#metric(job, "throttled", null, null, now);
  }

  /** Dead `job` was requeued. */
  requeued(job: MemJob, now: number): void {
    this.event("requeued", job, now, {});
    this.#metric(job, "requeued", null, null, now);
  }

  /** Ends a verb: its events become one stream entry. */
  commit(now: number): void {
    const events = this.#pending;
    if (events.types.length === 0) return;
    this.#lastMs = Math.max(this.#lastMs, now);
    const seq = this.#seq++;
    this.#pending = emptyColumns();
    this.#entries.push({ seq, id: `${this.#lastMs}-${seq}`, events });
    this.#kept += events.types.length;
    // about `events` events are kept (an entry holds a call's events; the newest always stays)
    while (this.#kept > this.#options.events && this.#entries.length > 1) {
      this.#kept -= this.#entries.shift()!.events.types.length;
    }
    for (const notify of this.#newEntry.splice(0)) notify();
  }

  /** Reads events after `query.after`, waiting up to `waitMs` for one. */
  async read(query: EventQuery): Promise<EventBatch> {
    const after = query.after ?? this.#latest();
    let batch = this.#since(after, query.limit ?? 1_000);
    if (batch.events.length === 0 && (query.waitMs ?? 0) > 0 && !query.signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, query.waitMs);
        const wake = () => done();
        function done() {
          clearTimeout(timer);
          query.signal?.removeEventListener("abort", wake);
          resolve();
        }
        this.#newEntry.push(wake);
        query.signal?.addEventListener("abort", wake, { once: true });
      });
      batch = this.#since(after, query.limit ?? 1_000);
    }
    return batch;
  }

  /** Metrics of the newest `minutes` minutes before `now`, and in total. */
  snapshot(minutes: number, now: number): MetricsSnapshot {
    const toGroups = (map: Map<string, number[]>) =>
      [...map].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([k, v]) => metricGroup(k, v));
    const last = Math.floor(now / 60_000);
    const picked = [...this.#minutes.keys()].filter((m) => m > last - minutes && m <= last);
    return {
      total: toGroups(this.#total),
      minutes: picked.sort((a, b) => a - b).map((m) => ({
        minute: m,
        groups: toGroups(this.#minutes.get(m)!),
      })),
    };
  }

  #latest(): string {
    const entry = this.#entries.at(-1);
    return entry ? `${entry.id}/${entry.events.types.length - 1}` : "0";
  }

  #since(after: string, limit: number): EventBatch {
    const from = after === "0" ? { seq: -1, index: Infinity } : position(after);
    const first = this.#entries[0];
    const gap = from !== null && first !== undefined && from.seq >= 0 && from.seq < first.seq;
    const events: StoredEvent[] = [];
    const cap = limit >= 0 ? limit : Infinity; // a page of `limit`: the others are not made
    for (const entry of this.#entries) {
      if (from === null || entry.seq < from.seq) continue;
      const start = entry.seq > from.seq ? 0 : from.index + 1;
      const columns = entry.events;
      for (let index = start; index < columns.types.length && events.length < cap; index++) {
        events.push({
          id: `${entry.id}/${index}`,
          type: columns.types[index]!,
          event: {
            id: columns.ids[index]!,
            name: columns.names[index]!,
            queue: columns.queues[index]!,
            lane: columns.lanes[index]!,
            at: columns.ats[index]!,
            ...columns.fields[index]!,
          } as JobEvents[StoredEventType],
        });
      }
      if (events.length >= limit) break;
    }
    const page = events.slice(0, limit);
    return { events: page, last: page.at(-1)?.id ?? after, gap };
  }

  /**
   * The metrics group key of `job` (`<queue>\t<lane index>\t<function>`), one string per group
   * (made once, not per job: a map finds a string it has seen faster than a new equal one).
   */
  #groupKey(job: MemJob): string {
    let byQueue = this.#groupKeys.get(job.name);
    if (!byQueue) this.#groupKeys.set(job.name, byQueue = new Map());
    let byLane = byQueue.get(job.queue);
    if (!byLane) byQueue.set(job.queue, byLane = []);
    const lane = laneIndex(job.lane);
    return byLane[lane] ??= `${job.queue}\t${lane}\t${job.name}`;
  }

  #metric(
    job: MemJob,
    outcome: Outcome,
    runMs: number | null,
    waitMs: number | null,
    now: number,
  ): void {
    if (!this.#options.metrics) return;
    const key = this.#groupKey(job);
    const minute = Math.floor(now / 60_000);
    let byKey = this.#minutes.get(minute);
    if (!byKey) {
      this.#minutes.set(minute, byKey = new Map());
      for (const old of this.#minutes.keys()) {
        if (old <= minute - DAY_MINUTES) this.#minutes.delete(old);
      }
    }
    count(slotsOf(byKey, key), outcome, runMs, waitMs);
    count(slotsOf(this.#total, key), outcome, runMs, waitMs);
  }
}

/** The slots of `key` in `map`, created zeroed when new. */
function slotsOf(map: Map<string, number[]>, key: string): number[] {
  let slots = map.get(key);
  if (!slots) map.set(key, slots = new Array(WIDTH).fill(0));
  return slots;
}

/** The slot of each outcome's count. */
const OUTCOME_SLOT = Object.fromEntries(OUTCOMES.map((o) => [o, SLOTS.indexOf(o)])) as Record<
  Outcome,
  number
>;
const RUN_COUNT = SLOTS.indexOf("runCount");
const WAIT_COUNT = SLOTS.indexOf("waitCount");

/** Counts one `outcome` in `slots`, with its run and wait times when it has them. */
function count(slots: number[], outcome: Outcome, runMs: number | null, waitMs: number | null) {
  slots[OUTCOME_SLOT[outcome]]! += 1;
  if (runMs !== null) add(slots, RUN_COUNT, SLOTS.length, Math.max(runMs, 0));
  if (waitMs !== null) add(slots, WAIT_COUNT, SLOTS.length + BUCKETS, Math.max(waitMs, 0));
}

/** One entry of the stream: the events of one verb. */
interface Entry {
  seq: number;
  /** `<ms>-<seq>`. */
  id: string;
  events: EventColumns;
}

/**
 * Events, a column per field: the job's id, name, queue and lane when it happened, its time, and
 * the fields of its type. Recording one allocates nothing but the caller's fields object.
 */
interface EventColumns {
  types: StoredEventType[];
  ids: string[];
  names: string[];
  queues: string[];
  lanes: Lane[];
  ats: number[];
  fields: object[];
}

function emptyColumns(): EventColumns {
  return { types: [], ids: [], names: [], queues: [], lanes: [], ats: [], fields: [] };
}

/** The entry sequence and index of event id `<ms>-<seq>/<index>`, or null when it is not one. */
function position(id: string): { seq: number; index: number } | null {
  const match = /^\d+-(\d+)\/(\d+)$/.exec(id);
  return match ? { seq: Number(match[1]), index: Number(match[2]) } : null;
}

/** Adds `ms` to the histogram whose count is slot `at` (sum next) and buckets start at `first`. */
function add(slots: number[], at: number, first: number, ms: number): void {
  slots[at]! += 1;
  slots[at + 1]! += ms;
  let bucket = 0;
  while (bucket < BUCKET_EDGES_MS.length && !(ms <= BUCKET_EDGES_MS[bucket]!)) bucket++;
  slots[first + bucket]! += 1;
}
