/**
 * The leader killed (SIGKILL) and the leader paused (SIGSTOP past its lease, then SIGCONT):
 * another node takes over (the failover time is measured from the fault to the new leader's
 * `leader-elected` line), and the every-second cron tick fires once per scheduled time through
 * the failovers (missed ticks are skipped by design, never doubled).
 *
 * @module
 */
import { check, type Fault, type Verdict } from "../checker.ts";
import type { ChaosCluster } from "../cluster.ts";
import { sleep, until } from "../faults.ts";
import type { Profile } from "../profile.ts";
import { readSink } from "../sink.ts";
import type { NodeProcess } from "../../../tests/_node_process.ts";
import { withCluster } from "./worker_faults.ts";

const elected = (node: NodeProcess) => node.events.filter((e) => e.event === "leader-elected");

/** The node that leads now (the last `leader-elected` line not followed by a deposition). */
function leader(cluster: ChaosCluster): NodeProcess | undefined {
  return cluster.workers.find((node) => {
    const last = node.events.findLast((e) => e.event.startsWith("leader-"));
    return last?.event === "leader-elected";
  });
}

/** See the module doc. */
export async function leaderFailover(profile: Profile): Promise<Verdict> {
  return await withCluster(
    3,
    ["--concurrency=2", "--reserved-slots=0"],
    async (cluster) => {
      const faults: Fault[] = [];
      const failovers: number[] = [];
      await until(() => leader(cluster) !== undefined, 30_000);
      await sleep(3_000);
      for (let i = 0; i < profile.failovers * 2; i++) {
        const old = leader(cluster);
        if (!old) break;
        const before = new Map(cluster.workers.map((n) => [n, elected(n).length]));
        const at = Date.now();
        faults.push({ at, pids: [old.pid] });
        const pause = i % 2 === 1;
        if (pause) old.kill("SIGSTOP");
        else await cluster.kill(old);
        const took = await until(
          () => cluster.workers.some((n) => n !== old && elected(n).length > (before.get(n) ?? 0)),
          30_000,
        );
        failovers.push(took ? Date.now() - at : NaN);
        if (pause) {
          await sleep(3_000);
          old.kill("SIGCONT");
        } else {
          cluster.spawn();
        }
        await sleep(3_000);
      }
      await sleep(2_000);
      const settled = await cluster.settle(profile.settleMs);
      const verdict = await check("leader killed / paused", cluster, faults, { settled });
      const sink = await readSink(cluster.sinkDir);
      const perTick = new Map<string, Set<string>>();
      for (const [key, lines] of sink) {
        if (!key.startsWith("tick@")) continue;
        const [, scheduledAt, jobId] = key.split("@");
        const jobs = perTick.get(scheduledAt!) ?? new Set();
        jobs.add(jobId!);
        perTick.set(scheduledAt!, jobs);
        void lines;
      }
      const doubled = [...perTick].filter(([, jobs]) => jobs.size > 1);
      if (perTick.size === 0) verdict.problems.push("no cron tick fired");
      if (doubled.length) verdict.problems.push(`${doubled.length} cron ticks fired twice`);
      if (failovers.some((ms) => Number.isNaN(ms))) verdict.problems.push("a failover never came");
      verdict.jobs = perTick.size;
      verdict.notes.push(
        `failover times (ms): ${
          failovers.map((ms, i) => `${i % 2 ? "paused" : "killed"} ${ms}`).join(", ")
        }`,
        `cron ticks fired: ${perTick.size}, twice: ${doubled.length}`,
      );
      return verdict;
    },
    { functions: "cron", queue: "chaos-ticks" },
  );
}
