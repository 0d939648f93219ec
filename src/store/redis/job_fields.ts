/**
 * How a job is stored in Redis: one hash per job (`{p}j:<id>`) with short field names and
 * single-letter states, written once at enqueue with only what a waiting job needs, so that a
 * waiting job costs as few bytes as possible. Absent fields read as null, or 0 for counters.
 *
 * | field | meaning | field | meaning |
 * | --- | --- | --- | --- |
 * | `n` | function name | `st` | startedAt of the latest attempt |
 * | `q` | queue | `f` | finishedAt |
 * | `l` | lane index (0 critical .. 4 batch) | `t` | lease token |
 * | `s` | state letter (below) | `w` | worker holding (or that last held) the lease |
 * | `d` | payload bytes | `p` | `"1"` while prefetched (leased unstarted) |
 * | `m` | maxAttempts (absent: 3) | `k` | `"1"` when cancellation was requested |
 * | `e` | enqueuedAt | `x` | result bytes |
 * | `r` | runAt (absent: `e`) | `er` | latest error (JSON text) |
 * | `a` | attempts started (absent: 0) | `h` | history of attempts that did not complete |
 * | `sl` | stalls (absent: 0) | `rl` | releases (absent: 0) |
 * | `bo` | the job's own backoff (JSON) | `pg`, `pm` | progress: percent, message (JSON) |
 * | `pr` | prerequisite ids (newline separated) | `po` | open prerequisites (blocked) |
 * | `pf` | failure policy (`s` skip, `w` wait; absent fail) | `ql` | lane enqueued in, when raised |
 * | `dn` | `"1"`: it has dependents | `pc`, `pn` | dependents pinning it, `"1"` pinned |
 * | `uk`, `us` | unique key, scope (`q`, `a`, `c` or a window in ms) | | |
 *
 * The lease deadline of an active job is its score in `{p}leases`.
 *
 * @module
 */
import type { JobState } from "../../job/states.ts";

/**
 * The maxAttempts of a job whose hash has no `m` field: enqueue writes `m` only when it differs
 * (`IMPLIED_MAX_ATTEMPTS` in `lua/_jobs.lua`, which must say the same), so the common default
 * costs a waiting job no bytes.
 */
export const IMPLIED_MAX_ATTEMPTS = 3;

/** The stored letter of each state. */
export const STATE_LETTERS: Readonly<Record<JobState, string>> = Object.freeze({
  waiting: "w",
  delayed: "d",
  blocked: "b",
  active: "a",
  completed: "c",
  dead: "x",
  cancelled: "k",
});

const STATES_BY_LETTER: ReadonlyMap<string, JobState> = new Map(
  Object.entries(STATE_LETTERS).map(([state, letter]) => [letter, state as JobState]),
);

/** The state a stored letter stands for; throws on an unknown letter. */
export function stateOfLetter(letter: string): JobState {
  const state = STATES_BY_LETTER.get(letter);
  if (state === undefined) throw new Error(`RedisStore: unknown state letter ${letter}`);
  return state;
}
