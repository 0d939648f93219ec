/**
 * Decoding of Redis replies into store records: job hashes into `JobRecord`s, reserve replies
 * into `Reservation`s. Bulk strings arrive as `Buffer`s (the `...Buffer` command variants keep
 * payload and result bytes intact); text fields are decoded here.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { AttemptRecord } from "../../job/attempt_history.ts";
import type { JobRecord, Reservation } from "../../job/job.ts";
import { type Lane, LANES } from "../../job/lanes.ts";
import { JOB_STATES, type JobState } from "../../job/states.ts";
import type { QueueCounts, TransitionOutcome } from "../store.ts";
import { type StatusCode, toStatus } from "../../job/status.ts";

const decoder = new TextDecoder();

/** A reply value as text (bulk strings arrive as Buffers, integers as numbers). */
export function text(value: unknown): string {
  if (value instanceof Uint8Array) return decoder.decode(value);
  return value === null || value === undefined ? "" : String(value);
}

/** A reply value as a number. */
export function num(value: unknown): number {
  return typeof value === "number" ? value : Number(text(value));
}

/** A reply value as a plain `Uint8Array` copy (not a `Buffer`, whose prototype differs). */
export function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return new TextEncoder().encode(text(value));
}

/** A lane from its stored index. */
export function laneAt(value: unknown): Lane {
  const lane = LANES[num(value)];
  if (lane === undefined) throw new Error(`RedisStore: bad lane index ${text(value)}`);
  return lane;
}

/** A `Uint8Array` as a zero-copy `Buffer` (ioredis would send a Uint8Array as "1,2,3"). */
export function toBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Field name to value, from a flat `[field, value, ...]` HGETALL reply. */
export function pairs(reply: unknown): Map<string, unknown> {
  const list = reply as unknown[];
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(text(list[i]), list[i + 1]);
  return map;
}

/** A job record from its hash (`fields`: field name to raw value); null when the hash is empty. */
export function decodeJob(id: string, fields: Map<string, unknown>): JobRecord | null {
  if (!fields.has("state")) return null;
  const optNum = (name: string): number | null => fields.has(name) ? num(fields.get(name)) : null;
  const optText = (name: string): string | null => fields.has(name) ? text(fields.get(name)) : null;
  const state = text(fields.get("state")) as JobState;
  return {
    id,
    name: text(fields.get("name")),
    queue: text(fields.get("queue")),
    lane: laneAt(fields.get("lane")),
    state,
    payload: bytes(fields.get("payload")),
    attempts: num(fields.get("attempts")),
    maxAttempts: num(fields.get("maxAttempts")),
    stalls: num(fields.get("stalls")),
    releases: fields.has("releases") ? num(fields.get("releases")) : 0,
    enqueuedAt: num(fields.get("enqueuedAt")),
    runAt: num(fields.get("runAt")),
    startedAt: optNum("startedAt"),
    finishedAt: optNum("finishedAt"),
    result: fields.has("result") ? bytes(fields.get("result")) : null,
    error: optText("error"),
    worker: optText("worker"),
    // Left in place when a job leaves the active state: it means something only while active.
    leaseDeadline: state === "active" ? optNum("leaseDeadline") : null,
    cancelRequested: text(fields.get("cancelRequested")) === "1",
    history: decodeHistory(optText("history")),
    backoff: optText("backoff"),
  };
}

/** The attempt history from its stored text: one JSON object per line (`record_attempt`). */
export function decodeHistory(stored: string | null): AttemptRecord[] {
  if (!stored) return [];
  return stored.split("\n").map((line) => JSON.parse(line) as AttemptRecord);
}

/**
 * Reads a framed reply: one bulk string of fields, each `<byte length>:<bytes>` (see `frame()` in
 * `lua/_lib.lua`).
 */
export class Frames {
  #buf: Buffer;
  #pos = 0;
  #start = 0;

  /** Reads `reply` (a Buffer from a `...Buffer` command; anything else reads as empty). */
  constructor(reply: unknown) {
    this.#buf = reply instanceof Buffer ? reply : Buffer.alloc(0);
  }

  /** True while fields remain. */
  get more(): boolean {
    return this.#pos < this.#buf.length;
  }

  /** The next field as text. */
  text(): string {
    const end = this.#skip();
    return this.#buf.toString("utf8", this.#start, end);
  }

  /** The next field as a number. */
  num(): number {
    const end = this.#skip();
    return Number(this.#buf.toString("latin1", this.#start, end));
  }

  /** The next field as a fresh `Uint8Array`. */
  bytes(): Uint8Array {
    const end = this.#skip();
    return new Uint8Array(this.#buf.subarray(this.#start, end));
  }

  #skip(): number {
    const buf = this.#buf;
    let len = 0;
    let pos = this.#pos;
    for (let c = buf[pos]; c !== 58; c = buf[++pos]) { // ':'
      if (c === undefined || c < 48 || c > 57) throw new Error("RedisStore: malformed reply");
      len = len * 10 + c - 48;
    }
    this.#start = pos + 1;
    this.#pos = this.#start + len;
    if (this.#pos > buf.length) throw new Error("RedisStore: truncated reply");
    return this.#pos;
  }
}

/** What the caller of `reserve.lua` knows about every job it leases. */
export interface LeaseTerms {
  /** The call's `now`: each job's startedAt. */
  now: number;
  /** The lease length (ms). */
  leaseMs: number;
  /** The token base; job n of the reply gets `${tokenBase}.${n}`. */
  tokenBase: string;
  /**
   * `"counted"`: the reply opens with the number of jobs, from the first, leased started (the
   * rest are prefetched), as `reserve.lua` sends it; absent: all are started (`steal.lua`).
   */
  started?: "counted";
}

/** The reservations in the framed reply of `reserve.lua` or `steal.lua` (6 fields per job). */
export function decodeReservations(reply: unknown, terms: LeaseTerms): Reservation[] {
  const f = new Frames(reply);
  const leaseDeadline = terms.now + terms.leaseMs;
  const started = terms.started === "counted" ? f.num() : Infinity;
  const out: Reservation[] = [];
  while (f.more) {
    const id = f.text();
    const name = f.text();
    const queue = f.text();
    const payload = f.bytes();
    const [lane, attempt, maxAttempts, stalls, enqueuedAt, runAt, releases] = f.text().split(",")
      .map(Number);
    const backoff = f.text();
    out.push({
      id,
      name,
      queue,
      lane: laneAt(lane),
      payload,
      attempt: attempt!,
      maxAttempts: maxAttempts!,
      stalls: stalls!,
      releases: releases || 0,
      enqueuedAt: enqueuedAt!,
      runAt: runAt!,
      startedAt: terms.now,
      token: `${terms.tokenBase}.${out.length}`,
      leaseDeadline,
      started: out.length < started,
      backoff: backoff || null,
    });
  }
  return out;
}

/** Queue depth from the reply of `counts.lua`: { paused, counters (flat), waiting per lane }. */
export function decodeCounts(queue: string, reply: unknown): QueueCounts {
  const [paused, counters, waiting] = reply as [unknown, unknown[], unknown[]];
  const states = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  const lanes = Object.fromEntries(LANES.map((lane) => [lane, { ...states }])) as Record<
    Lane,
    Record<JobState, number>
  >;
  const add = (state: string, lane: Lane | undefined, n: number): void => {
    if (lane === undefined || !(state in states)) return;
    lanes[lane][state as JobState] += n;
    states[state as JobState] += n;
  };
  for (const [field, value] of pairs(counters)) {
    const [state, index] = field.split(":");
    add(state ?? "", LANES[Number(index)], num(value));
  }
  LANES.forEach((lane, i) => add("waiting", lane, num(waiting[i])));
  return { queue, paused: text(paused) === "1", states, lanes };
}

/** Status codes from a string of one digit per item. */
export function statuses(reply: unknown): StatusCode[] {
  return Array.from(text(reply), toStatus);
}

/** A transition outcome from its status and state fields (state "" when not found). */
export function outcome(status: unknown, state: unknown): TransitionOutcome {
  const s = text(state);
  return s === ""
    ? { status: toStatus(status) }
    : { status: toStatus(status), state: s as JobState };
}
