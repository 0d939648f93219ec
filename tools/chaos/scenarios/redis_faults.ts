/**
 * Scenarios that hit Redis: a crash and restart in the middle of the load (AOF `everysec`, so
 * acknowledgements of the last second may be lost: counted apart), `CLIENT KILL TYPE normal`
 * every 500 ms, and a Redis full under `noeviction`.
 *
 * @module
 */
import { createGateway } from "../../../gateway.ts";
import { StoreFullError } from "../../../mod.ts";
import { silentLogger } from "../../../src/job/logger.ts";
import { check, type Fault, type Verdict } from "../checker.ts";
import { killClientsEvery, sleep, until } from "../faults.ts";
import type { Profile } from "../profile.ts";
import { withCluster, workItems } from "./worker_faults.ts";
import { fillRedis } from "../redis.ts";

const WORKERS = ["--concurrency=8", "--reserved-slots=0", "--prefetch=2", "--lease-ms=5000"];

/** How much of the last writes an `appendfsync everysec` crash may lose (ms), with margin. */
export const FSYNC_WINDOW_MS = 2_000;

/**
 * Redis killed (SIGKILL) and restarted from its AOF mid-load, while a producer keeps enqueueing
 * through the gateway's engine: workers and gateway reconnect by themselves, nobody crashes.
 */
export async function redisRestart(profile: Profile): Promise<Verdict> {
  return await withCluster(3, WORKERS, async (cluster) => {
    const gateway = createGateway(cluster.engine, { open: true, logger: silentLogger });
    try {
      const items = workItems("r", profile.redisJobs, 100); // the load outlasts the outage
      const half = Math.floor(items.length / 2);
      await cluster.enqueue(items.slice(0, half), 250);
      const rest = cluster.enqueue(items.slice(half), 50); // retries through the outage
      await sleep(1_000);
      const fault: Fault = { at: Date.now(), fsyncWindowMs: FSYNC_WINDOW_MS };
      await cluster.redis.crashAndRestart(1_000);
      const back = fault.endedAt = Date.now();
      await rest;
      const served = await until(async () => {
        const res = await gateway.app.request("/v1/queues");
        return res.status === 200;
      }, 30_000);
      const settled = await cluster.settle(profile.settleMs);
      const verdict = await check("Redis SIGKILL + restart (AOF everysec)", cluster, [fault], {
        settled,
      });
      if (!served) verdict.problems.push("the gateway did not answer again after the restart");
      verdict.notes.push(`Redis down ${back - fault.at} ms`);
      return verdict;
    } finally {
      gateway.close();
    }
  });
}

/** `CLIENT KILL TYPE normal` every 500 ms while the load runs: nothing lost, no leaked lease. */
export async function clientKill(profile: Profile): Promise<Verdict> {
  return await withCluster(3, WORKERS, async (cluster) => {
    const items = workItems("c", profile.redisJobs, 100); // the load spans the kills
    const faults = killClientsEvery(cluster, 500, profile.clientKillMs);
    await cluster.enqueue(items, 100);
    const injected = await faults;
    const settled = await cluster.settle(profile.settleMs);
    return await check("CLIENT KILL TYPE normal every 500 ms", cluster, injected, { settled });
  });
}

/**
 * Redis full under `noeviction`: enqueues fail with `StoreFullError` (HTTP 503 `STORE_FULL` with
 * `Retry-After`) and write nothing; once memory is freed, processing goes on and every
 * acknowledged job completes. And a node started on an evicting Redis warns.
 */
export async function redisFull(profile: Profile): Promise<Verdict> {
  return await withCluster(2, WORKERS, async (cluster) => {
    const { admin } = cluster.redis;
    const problems: string[] = [];
    await admin.config("SET", "maxmemory-policy", "allkeys-lru");
    const warned = cluster.spawn();
    const saw = await until(() => warned.stderr.includes("noeviction"), 30_000) ||
      warned.events.some((e) => JSON.stringify(e).includes("noeviction"));
    if (!saw) problems.push("no warning on an evicting Redis");
    await admin.config("SET", "maxmemory-policy", "noeviction");

    await cluster.enqueue(workItems("f", Math.floor(profile.redisJobs / 2), 20), 250);
    const fillers = await fillRedis(admin);
    const at = Date.now();
    const refusedId = "full-refused";
    const refused = await cluster.engine
      .enqueue("chaos-work", { ms: 1 }, { id: refusedId })
      .then(() => false, (e) => e instanceof StoreFullError);
    if (!refused) problems.push("enqueue on a full Redis did not fail with StoreFullError");
    const gateway = createGateway(cluster.engine, { open: true, logger: silentLogger });
    const res = await gateway.app.request("/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ job: "chaos-work", payload: { ms: 1 }, options: { id: "full-http" } }),
    });
    gateway.close();
    const code = (await res.json())?.error?.code;
    if (res.status !== 503 || code !== "STORE_FULL" || !res.headers.get("retry-after")) {
      problems.push(`gateway answered ${res.status} ${code} without 503 STORE_FULL Retry-After`);
    }
    await sleep(2_000); // workers meet the full Redis too
    await admin.del(...fillers);
    const freed = Date.now();
    for (const id of [refusedId, "full-http"]) {
      if (await cluster.store.getJob(id)) problems.push(`refused job ${id} was half written`);
    }
    await cluster.enqueue(workItems("g", Math.floor(profile.redisJobs / 2), 5), 250);
    const settled = await cluster.settle(profile.settleMs);
    const verdict = await check("Redis full (noeviction)", cluster, [{ at, endedAt: freed }], {
      settled,
    });
    verdict.problems.push(...problems);
    return verdict;
  });
}
