/**
 * Status codes shared by both stores (Lua scripts return the same numbers). Mapped to errors in
 * one place: `errorForStatus` in `errors.ts`.
 *
 * @module
 */

/** Outcome codes of store verbs. The numbers are part of the Lua scripts' interface. */
export const Status = {
  /** The transition happened. */
  OK: 0,
  /** No job with that id. */
  NOT_FOUND: 1,
  /** The lease token is not the job's current one: the lease expired or the job moved on. */
  LEASE_LOST: 2,
  /** The job is in a state that does not allow this transition. */
  WRONG_STATE: 3,
  /** The job is active: cancellation was recorded, its worker is told at its next renewal. */
  CANCEL_REQUESTED: 4,
  /** A leader-only write came with a lease that is not the current one: nothing changed. */
  NOT_LEADER: 5,
} as const;

/** One of the `Status` codes. */
export type StatusCode = typeof Status[keyof typeof Status];

const NAMES: Record<StatusCode, string> = {
  0: "OK",
  1: "NOT_FOUND",
  2: "LEASE_LOST",
  3: "WRONG_STATE",
  4: "CANCEL_REQUESTED",
  5: "NOT_LEADER",
};

/** The symbolic name of a status code, for messages and logs. */
export function statusName(code: StatusCode): string {
  return NAMES[code] ?? `UNKNOWN(${code})`;
}

/** Narrows a number returned by a store script to a known status code, or throws. */
export function toStatus(value: unknown): StatusCode {
  const n = Number(value);
  if (n in NAMES) return n as StatusCode;
  throw new Error(`store returned an unknown status code: ${String(value)}`);
}
