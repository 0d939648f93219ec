/**
 * The Redis store's observation verbs: reading the event stream (`{p}events`, XRANGE, and XREAD
 * BLOCK on a connection of its own when a reader waits), reading metrics, recording progress and
 * job log lines, and hearing of cancellations on `{p}cancel:<node>`.
 *
 * @module
 */
import type { StatusCode } from "../../job/status.ts";
import { JOB_LOG_LIMIT } from "../_shared.ts";
import type { EventBatch, EventQuery, MetricsSnapshot, StoredEvent } from "../observations.ts";
import type { JobLogLine, ProgressReport } from "../store.ts";
import { closeConnection, duplicateConnection, type RedisClient } from "./connection.ts";
import { decodeEventLines } from "./event_lines.ts";
import { decodeMetricFields } from "./metric_fields.ts";
import type { Keys } from "./keys.ts";
import { num, statuses, text } from "./record.ts";
import type { ScriptArg, Scripts } from "./scripts.ts";
import type { WakeHub } from "./wake.ts";

/** What the observation verbs share with the store. */
export interface ObservationContext {
  /** The command connection. */
  redis: RedisClient;
  /** Key names. */
  keys: Keys;
  /** The scripts. */
  scripts: Scripts;
  /** The subscriber hub. */
  wake: WakeHub;
  /** The `now` argument of a script. */
  now: () => number | string;
  /** The store options argument of a script. */
  opts: string;
}

type Entry = [id: string, fields: string[]];

/** The longest single block of a waiting read (ms): a longer wait is several, so aborts work. */
const BLOCK_SLICE_MS = 1_000;

/** Observation verbs of one Redis store. */
export class RedisObservations {
  #c: ObservationContext;
  #blocking: RedisClient | null = null;

  /** Verbs over `context`. */
  constructor(context: ObservationContext) {
    this.#c = context;
  }

  /** See `Store.readEvents`. */
  async readEvents(query: EventQuery): Promise<EventBatch> {
    const limit = query.limit ?? 1_000;
    const key = this.#c.keys.events();
    let after = query.after ?? await this.#latest(key);
    const [entryId, index] = splitId(after);
    const entries = after === "0"
      ? await this.#c.redis.xrange(key, "-", "+", "COUNT", limit) as Entry[]
      : await this.#c.redis.xrange(key, entryId, "+", "COUNT", limit + 1) as Entry[];
    let events = eventsOf(entries).filter((e) => after === "0" || laterThan(e.id, entryId, index));
    const gap = after !== "0" && !entries.some(([id]) => id === entryId) &&
      await this.#missing(key, entryId);
    if (events.length === 0 && (query.waitMs ?? 0) > 0) {
      const fresh = await this.#wait(key, after === "0" ? "0-0" : entryId, query);
      events = eventsOf(fresh);
    }
    events = events.slice(0, limit);
    after = events.at(-1)?.id ?? after;
    return { events, last: after, gap };
  }

  /** See `Store.metrics`. */
  async metrics(minutes: number): Promise<MetricsSnapshot> {
    const reply = await this.#c.scripts.run("readMetrics", [this.#c.now(), minutes]) as unknown[];
    const out: MetricsSnapshot = { total: decodeMetricFields(reply[0]), minutes: [] };
    for (let i = 1; i + 1 < reply.length; i += 2) {
      out.minutes.push({ minute: num(reply[i]), groups: decodeMetricFields(reply[i + 1]) });
    }
    return out;
  }

  /** See `Store.progress`. */
  async progress(items: readonly ProgressReport[]): Promise<StatusCode[]> {
    if (items.length === 0) return [];
    const args: ScriptArg[] = [this.#c.now(), this.#c.opts];
    for (const item of items) {
      const message = item.message === undefined ? "" : JSON.stringify(item.message);
      args.push(item.id, item.token, item.percent, message);
    }
    return statuses(await this.#c.scripts.run("progress", args));
  }

  /** See `Store.appendLogs`. */
  async appendLogs(items: readonly JobLogLine[]): Promise<number> {
    if (items.length === 0) return 0;
    const args: ScriptArg[] = [JOB_LOG_LIMIT];
    for (const item of items) args.push(item.id, item.line);
    return num(await this.#c.scripts.run("appendLogs", args));
  }

  /** See `Store.jobLogs`. */
  async jobLogs(id: string): Promise<string[]> {
    return (await this.#c.scripts.run("jobLogs", [id]) as unknown[]).map(text);
  }

  /** See `Store.onCancelRequested`. */
  onCancelRequested(worker: string, listener: (id: string) => void): () => void {
    return this.#c.wake.listen(this.#c.keys.cancel(worker), listener);
  }

  /** Closes the blocking connection, if one was opened. */
  async close(): Promise<void> {
    const blocking = this.#blocking;
    this.#blocking = null;
    if (blocking) await closeConnection(blocking);
  }

  /** The id of the newest event, or "0" when the stream is empty. */
  async #latest(key: string): Promise<string> {
    const [last] = await this.#c.redis.xrevrange(key, "+", "-", "COUNT", 1) as Entry[];
    if (!last) return "0";
    return `${last[0]}/${linesOf(last[1]).split("\n").length - 1}`;
  }

  /** True when entry `id` is older than everything the stream still holds. */
  async #missing(key: string, id: string): Promise<boolean> {
    const [first] = await this.#c.redis.xrange(key, "-", "+", "COUNT", 1) as Entry[];
    return first !== undefined && compareIds(id, first[0]) < 0;
  }

  /** Entries after entry `from`, waiting up to `query.waitMs` for one, in slices. */
  async #wait(key: string, from: string, query: EventQuery): Promise<Entry[]> {
    const deadline = performance.now() + (query.waitMs ?? 0);
    const blocking = this.#blocking ??= duplicateConnection(this.#c.redis);
    while (!query.signal?.aborted) {
      const left = deadline - performance.now();
      if (left <= 0) return [];
      const block = Math.max(1, Math.min(Math.ceil(left), BLOCK_SLICE_MS));
      const reply = await blocking.xread("BLOCK", block, "STREAMS", key, from) as
        | [string, Entry[]][]
        | null;
      if (reply && reply[0]![1].length > 0) return reply[0]![1];
    }
    return [];
  }
}

function linesOf(fields: string[]): string {
  const at = fields.indexOf("e");
  return at >= 0 ? fields[at + 1] ?? "" : "";
}

function eventsOf(entries: Entry[]): StoredEvent[] {
  return entries.flatMap(([id, fields]) => {
    const t = fields.indexOf("t");
    return decodeEventLines(id, Number(fields[t + 1]), linesOf(fields));
  });
}

/** An event id as its entry id and index; "0" reads as before everything. */
function splitId(id: string): [string, number] {
  const slash = id.lastIndexOf("/");
  if (slash < 0) return [id === "0" ? "0-0" : id, Infinity];
  return [id.slice(0, slash), Number(id.slice(slash + 1))];
}

/** True when event id `id` comes after (entry, index). */
function laterThan(id: string, entry: string, index: number): boolean {
  const [e, i] = splitId(id);
  const order = compareIds(e, entry);
  return order > 0 || (order === 0 && i > index);
}

/** Compares stream entry ids `<ms>-<seq>`. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am! - bm! || as! - bs!;
}
