/**
 * Cron on three worker processes on Redis: two schedules fire every second, the leader is killed
 * (SIGKILL) in the middle, and over 60 ticks no tick fires twice; the schedule that catches up
 * (`all`) misses none, the one that skips misses only ticks inside the failover.
 */
import assert from "node:assert/strict";
import { RedisStore } from "../store.ts";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import { eventually, NodeProcess } from "./_node_process.ts";
import { withRedis } from "./_redis_env.ts";

const FUNCTIONS = new URL("./fixtures/cron_functions/", import.meta.url).pathname;
/** A lease of four ticks, so the failover spans several ticks. */
const LEASE_MS = 4_000;
const RENEW_MS = 500;
const TICKS = 60;

await withRedis("cron on worker nodes (subprocesses)", (url) => {
  Deno.test({
    name: "cron nodes: every second on three nodes, leader killed mid-way: 60 ticks, none twice",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const namespace = `cron-${crypto.randomUUID()}`;
      const runLog = Deno.makeTempDirSync({ prefix: "sluice-cron-runs-" });
      const store = new RedisStore({ url, namespace });
      const nodes = [0, 1, 2].map(() =>
        new NodeProcess([
          "--functions",
          FUNCTIONS,
          "--namespace",
          namespace,
          "--concurrency=8",
          "--heartbeat-ms=300",
          "--node-ttl-ms=1500",
          `--leader-ttl-ms=${LEASE_MS}`,
          `--leader-renew-ms=${RENEW_MS}`,
        ], { REDIS_URL: url, SLUICE_TEST_RUN_LOG: runLog })
      );
      try {
        await Promise.all(nodes.map((n) => n.waitFor((e) => e.event === "node-started")));
        const fired = (name: string) =>
          eventually(() => store.schedules.get(name), (s) => (s?.lastFiredAt ?? 0) > 0);
        const first = Math.max(
          (await fired("catch-all"))!.lastFiredAt!,
          (await fired("skip"))!.lastFiredAt!,
        );
        const start = first + 1_000;
        const end = start + (TICKS - 1) * 1_000;
        // let 20 ticks fire, then kill the leader
        await eventually(
          () => store.schedules.get("catch-all"),
          (s) => s!.lastFiredAt! >= start + 20_000,
        );
        const leader = (await store.getLeader())!;
        const victim = nodes.find((n) => n.nodeId === leader.node)!;
        const killedAt = Date.now();
        victim.kill("SIGKILL");
        await victim.exited;
        const next = await eventually(
          () => store.getLeader(),
          (l) => l !== null && l.node !== leader.node,
        );
        assert.ok(next!.epoch > leader.epoch);
        for (const name of ["catch-all", "skip"]) {
          await eventually(() => store.schedules.get(name), (s) => s!.lastFiredAt! >= end, 120_000);
        }
        const ticks = Array.from({ length: TICKS }, (_, i) => start + i * 1_000);
        const runs = new Map<string, number>();
        for (const entry of Deno.readDirSync(runLog)) {
          const id = entry.name.slice(0, entry.name.indexOf("."));
          runs.set(id, (runs.get(id) ?? 0) + 1);
        }
        const report: Record<string, unknown> = {};
        for (const name of ["catch-all", "skip"]) {
          const ids = ticks.map((t) => `cron:${name}:${t}`);
          const jobs = await eventually(
            () => store.getJobs(ids),
            (all) => all.every((j) => j === null || j.state === "completed"),
          );
          const missing = ticks.filter((_, i) => jobs[i] === null);
          for (const job of jobs) {
            if (!job) continue;
            assert.equal(job.runAt, Number(job.id.split(":")[2]), `${job.id}: runAt is its tick`);
            const ran = runs.get(job.id) ?? 0;
            // a job runs once, or twice when the killed node was running it (at-least-once)
            assert.ok(ran === 1 || (ran === 2 && job.stalls === 1), `${job.id} ran ${ran} times`);
          }
          const late = jobs.filter((j) => j && j.enqueuedAt - j.runAt > 1_000).length;
          report[name] = { missing: missing.map((t) => t - killedAt), late };
          if (name === "catch-all") {
            assert.deepEqual(missing, [], "catch-up all missed ticks");
            assert.ok(
              late >= 1,
              `no tick was caught up after the failover: ${JSON.stringify(report)}`,
            );
          } else {
            assert.ok(missing.length >= 1, `skip skipped nothing: ${JSON.stringify(report)}`);
            // only ticks inside one lease (plus the tick in flight) may be missing, all around the kill
            assert.ok(
              missing.length <= Math.ceil((LEASE_MS + RENEW_MS) / 1_000) + 1,
              JSON.stringify(report),
            );
            for (const t of missing) {
              assert.ok(
                t >= killedAt - 1_000 && t <= killedAt + LEASE_MS + 2_000,
                JSON.stringify(report),
              );
            }
          }
        }
        console.log("cron nodes:", JSON.stringify(report));
      } finally {
        await Promise.all(nodes.map((n) => n.close()));
        await store.close();
        await dropNamespace(url, namespace);
        Deno.removeSync(runLog, { recursive: true });
      }
    },
  });
});
