/**
 * The chaos suite's two profiles: `long` (the sizes, five to ten minutes) and `quick` (the
 * same scenarios, smaller, for CI).
 *
 * @module
 */

/** Sizes and timings of one run of the suite. */
export interface Profile {
  /** Name, printed with the table. */
  name: "quick" | "long";
  /** Jobs of each SIGKILL scenario. */
  killJobs: number;
  /** How long each job of the SIGKILL scenarios sleeps (ms): the load must outlast a few kills. */
  killJobMs: number;
  /** Jobs of the DAG scenario. */
  dagJobs: number;
  /** Jobs of the Redis scenarios (restart, client kill, full). */
  redisJobs: number;
  /** How long `CLIENT KILL` goes on (ms). */
  clientKillMs: number;
  /** SIGSTOP pauses. */
  pauses: number;
  /** Leader failovers of each kind (killed, paused). */
  failovers: number;
  /** Jobs that run beside the poison jobs. */
  poisonNeighbours: number;
  /** How long a scenario may take to settle after its load (ms). */
  settleMs: number;
}

/** The CI profile: every scenario, small. */
export const QUICK: Profile = {
  name: "quick",
  killJobs: 1_000,
  killJobMs: 200,
  dagJobs: 600,
  redisJobs: 1_000,
  clientKillMs: 5_000,
  pauses: 1,
  failovers: 1,
  poisonNeighbours: 150,
  settleMs: 60_000,
};

/** The full run (five to ten minutes): 20,000 jobs under SIGKILL, a DAG of 5,000 jobs. */
export const LONG: Profile = {
  name: "long",
  killJobs: 20_000,
  killJobMs: 60,
  dagJobs: 5_000,
  redisJobs: 6_000,
  clientKillMs: 30_000,
  pauses: 3,
  failovers: 3,
  poisonNeighbours: 2_000,
  settleMs: 180_000,
};
