/**
 * The chaos suite's fault injectors: SIGKILL a random worker every few seconds (a replacement
 * starts at once), pause a worker past its lease, drop every client connection of Redis on a
 * period. Each returns the faults it injected, for the checker.
 *
 * @module
 */
import type { Fault } from "./checker.ts";
import type { ChaosCluster } from "./cluster.ts";

/** Sleeps `ms`. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** A uniformly random whole number of ms in [min, max]. */
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** SIGKILLs a random worker every 2-5 s until `done()` (a fresh one replaces it each time). */
export async function killEvery(cluster: ChaosCluster, done: () => boolean): Promise<Fault[]> {
  const faults: Fault[] = [];
  for (;;) {
    const until = Date.now() + between(2_000, 5_000);
    while (Date.now() < until && !done()) await sleep(100);
    if (done()) return faults;
    const victim = cluster.pick();
    faults.push({ at: Date.now(), pids: [victim.pid] });
    await cluster.kill(victim);
    cluster.spawn();
  }
}

/** `CLIENT KILL TYPE normal` every `everyMs` for `forMs`. */
export async function killClientsEvery(
  cluster: ChaosCluster,
  everyMs: number,
  forMs: number,
): Promise<Fault[]> {
  const faults: Fault[] = [];
  const until = Date.now() + forMs;
  while (Date.now() < until) {
    await sleep(everyMs);
    faults.push({ at: Date.now() });
    await cluster.redis.killClients();
  }
  return faults;
}

/** Polls `read` until it answers true, at most `timeoutMs`; true when it did. */
export async function until(read: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await read()) return true;
    await sleep(50);
  }
  return false;
}
