/**
 * Decoding of Redis replies into store records: job hashes into `JobRecord`s, reserve replies
 * into `Reservation`s. Bulk strings arrive as `Buffer`s (the `...Buffer` command variants keep
 * payload and result bytes intact); text fields are decoded here.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  attemptError,
  type AttemptOutcomeName,
  type AttemptRecord,
  withCompletion,
} from "../../job/attempt_history.ts";
import { allocBytes } from "../../codec/byte_pool.ts";
import type { JobRecord, Reservation } from "../../job/job.ts";
import { type Lane, LANES } from "../../job/lanes.ts";
import { JOB_STATES, type JobState } from "../../job/states.ts";
import type { IdleWait, QueueCounts, TransitionOutcome } from "../store.ts";
import { type StatusCode, toStatus } from "../../job/status.ts";
import { IMPLIED_MAX_ATTEMPTS, stateOfLetter } from "./job_fields.ts";
import type { PrerequisiteFailurePolicy } from "../../job/dependencies.ts";

// ignoreBOM: a leading U+FEFF is part of the text (an id "\ufeffabc" must not read back as "abc").
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

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

/**
 * A job record from its hash (`fields`: field name to raw value; see `job_fields.ts`), its
 * lease deadline (null unless active) and its number of dependents; null when the hash is empty.
 */
export function decodeJob(
  id: string,
  fields: Map<string, unknown>,
  leaseDeadline: number | null = null,
  dependents = 0,
): JobRecord | null {
  if (!fields.has("s")) return null;
  const optNum = (name: string): number | null => fields.has(name) ? num(fields.get(name)) : null;
  const optText = (name: string): string | null => fields.has(name) ? text(fields.get(name)) : null;
  const count = (name: string): number => fields.has(name) ? num(fields.get(name)) : 0;
  const state = stateOfLetter(text(fields.get("s")));
  const enqueuedAt = num(fields.get("e"));
  const record: JobRecord = {
    id,
    name: text(fields.get("n")),
    queue: text(fields.get("q")),
    lane: laneAt(fields.get("l")),
    state,
    payload: bytes(fields.get("d")),
    attempts: count("a"),
    maxAttempts: fields.has("m") ? num(fields.get("m")) : IMPLIED_MAX_ATTEMPTS,
    stalls: count("sl"),
    releases: count("rl"),
    enqueuedAt,
    runAt: optNum("r") ?? enqueuedAt,
    startedAt: optNum("st"),
    finishedAt: optNum("f"),
    result: fields.has("x") ? bytes(fields.get("x")) : null,
    error: optText("er"),
    worker: optText("w"),
    leaseDeadline: state === "active" ? leaseDeadline : null,
    cancelRequested: text(fields.get("k")) === "1",
    history: [],
    backoff: optText("bo"),
    prerequisites: splitIds(optText("pr")),
    openPrerequisites: count("po"),
    dependents,
    onPrerequisiteFailure: POLICIES[text(fields.get("pf"))] ?? "fail",
    requestedLane: fields.has("ql") ? laneAt(fields.get("ql")) : null,
    uniqueKey: optText("uk"),
    throttledBy: optText("tl"),
    progress: fields.has("pg") ? withMessage(num(fields.get("pg")), optText("pm")) : null,
  };
  record.history = withCompletion(decodeHistory(optText("h")), record);
  return record;
}

const POLICIES: Record<string, PrerequisiteFailurePolicy> = { s: "skip", w: "wait" };

/** A progress report from its stored percent and message (JSON text, or null). */
function withMessage(
  percent: number,
  message: string | null,
): { percent: number; message?: string } {
  return message === null ? { percent } : { percent, message: JSON.parse(message) as string };
}

/** Job ids from a field that holds them separated by newlines (none when absent or empty). */
export function splitIds(stored: string | null): string[] {
  return stored ? stored.split("\n") : [];
}

/** The attempt history from its stored text: one attempt per line, fields split by tabs. */
export function decodeHistory(stored: string | null): AttemptRecord[] {
  if (!stored) return [];
  return stored.split("\n").map((line) => {
    const [outcome, attempt, startedAt, finishedAt, worker, error] = line.split("\t");
    return {
      attempt: Number(attempt),
      startedAt: startedAt ? Number(startedAt) : null,
      finishedAt: Number(finishedAt),
      worker: worker || null,
      outcome: outcome as AttemptOutcomeName,
      error: attemptError(error || null),
    };
  });
}

/** Longest field `Frames.bytes` copies byte by byte (past it, a native copy is faster). */
const SHORT_COPY = 128;

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

  /**
   * The next field as comma-separated numbers, written to `into` from index 0 (a caller's array,
   * reused: a reply carries such a field for every job). Returns how many there were.
   */
  numbers(into: number[]): number {
    const buf = this.#buf;
    const end = this.#skip();
    let count = 0;
    let from = this.#start;
    while (from <= end) {
      let to = from;
      let value = 0;
      let plain = to < end; // only digits, so far (an empty number is not one)
      for (let c = buf[to]; to < end && c !== 44; c = buf[++to]) { // ','
        if (c! >= 48 && c! <= 57) value = value * 10 + c! - 48;
        else plain = false;
      }
      // digits alone sum exactly below 2^53; a sign, a fraction or an exponent: as Number reads it
      into[count++] = plain && to - from < 16 ? value : Number(buf.toString("latin1", from, to));
      from = to + 1;
    }
    return count;
  }

  /**
   * The next field as a copy (`allocBytes`: the reply's buffer may be a parser's, reused
   * for the next reply). A short field is copied byte by byte, without a view of the reply.
   */
  bytes(): Uint8Array {
    const buf = this.#buf;
    const end = this.#skip();
    const start = this.#start;
    const out = allocBytes(end - start);
    if (out.byteLength <= SHORT_COPY) {
      for (let i = 0; i < out.byteLength; i++) out[i] = buf[start + i]!;
    } else {
      out.set(new Uint8Array(buf.buffer, buf.byteOffset + start, out.byteLength));
    }
    return out;
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

/** What the caller of `reserve.lua` or `steal.lua` knows about every job it leases. */
export interface LeaseTerms {
  /** The lease length (ms). */
  leaseMs: number;
  /** The token base; job n of the call gets `${tokenBase}.${n}`. */
  tokenBase: string;
}

/** The numbers field of the job being decoded (one array for every job of every reply). */
const LEASE_NUMBERS: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/** An idle answer of `lua/_idle.lua` ("wait TAB stealable"). */
export function decodeIdleWait(answer: string): IdleWait {
  const [due, stealable] = answer.split("\t");
  return { dueIn: due === "" ? null : Number(due), stealable: stealable === "1" };
}

/**
 * The reservations in the framed reply of `reserve.lua` or `steal.lua`: the number of jobs
 * leased started (they come first), the call's now, the idle answer (empty when there is none;
 * else handed to `onIdle` before the reservations are returned), then 7 fields per job (see
 * `frame_lease` in `lua/_jobs.lua`).
 */
export function decodeReservations(
  reply: unknown,
  terms: LeaseTerms,
  onIdle?: (wait: IdleWait) => void,
): Reservation[] {
  const f = new Frames(reply);
  const started = f.num();
  const now = f.num();
  const idle = f.text();
  const leaseDeadline = now + terms.leaseMs;
  const out: Reservation[] = [];
  while (f.more) {
    const id = f.text();
    const name = f.text();
    const queue = f.text();
    const payload = f.bytes();
    // lane index, attempt, maxAttempts, stalls, enqueuedAt, runAt, releases, n
    if (f.numbers(LEASE_NUMBERS) !== 8) throw new Error("RedisStore: malformed lease reply");
    const numbers = LEASE_NUMBERS;
    const backoff = f.text();
    const prerequisites = splitIds(f.text());
    out.push({
      id,
      name,
      queue,
      lane: laneAt(numbers[0]),
      payload,
      attempt: numbers[1]!,
      maxAttempts: numbers[2]!,
      stalls: numbers[3]!,
      releases: numbers[6]!,
      enqueuedAt: numbers[4]!,
      runAt: numbers[5]!,
      startedAt: now,
      token: `${terms.tokenBase}.${numbers[7]}`,
      leaseDeadline,
      started: out.length < started,
      backoff: backoff || null,
      prerequisites,
    });
  }
  if (idle !== "") onIdle?.(decodeIdleWait(idle));
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
  let throttled = 0;
  for (const [field, value] of pairs(counters)) {
    const lane = LANES[Number(field.slice(1))];
    if (field.startsWith("t")) { // waiting, parked on a limit (out of the lane lists)
      throttled += num(value);
      add("waiting", lane, num(value));
    } else {
      add(stateOfLetter(field.slice(0, 1)), lane, num(value));
    }
  }
  LANES.forEach((lane, i) => add("waiting", lane, num(waiting[i])));
  return { queue, paused: text(paused) === "1", states, lanes, throttled };
}

/** Status codes from a string of one digit per item. */
export function statuses(reply: unknown): StatusCode[] {
  return Array.from(text(reply), toStatus);
}

/** A transition outcome from its status and state letter ("" when not found). */
export function outcome(status: unknown, state: unknown): TransitionOutcome {
  const s = text(state);
  return s === ""
    ? { status: toStatus(status) }
    : { status: toStatus(status), state: stateOfLetter(s) };
}
