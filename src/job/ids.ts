/**
 * Job ids: time-sortable ULIDs, monotonic within a process, collision-free across nodes
 * (80 random bits per millisecond); or caller-chosen ids for idempotent enqueue.
 *
 * @module
 */
import { monotonicUlids } from "./ulid.ts";

const nextUlid = monotonicUlids();

/** A new job id: a 26-character ULID, sorting by creation time. */
export function newJobId(): string {
  return nextUlid();
}

/** Longest caller-chosen job id accepted. */
export const MAX_JOB_ID_LENGTH = 256;

// deno-lint-ignore no-control-regex
const FORBIDDEN_ID_CHARS = /[\u0000-\u0020\u007f]/;

/** Why `id` cannot be a caller-chosen job id, or `null` when it can. */
export function jobIdProblem(id: unknown): string | null {
  if (typeof id !== "string") return `must be a string, got ${typeof id}`;
  if (id.length === 0) return "must not be empty";
  if (id.length > MAX_JOB_ID_LENGTH) return `must be at most ${MAX_JOB_ID_LENGTH} characters`;
  if (FORBIDDEN_ID_CHARS.test(id)) return "must not contain spaces or control characters";
  return null;
}

/** Every byte value as two lowercase hex digits. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** A fresh random lease token (128 bits, hex). */
export function newLeaseToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let token = "";
  for (const b of bytes) token += HEX[b];
  return token;
}
