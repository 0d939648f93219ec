/**
 * The bench: Sluice (in Deno) against BullMQ (on Node, from the pinned bench/peers/package.json)
 * on the same Redis, in one invocation. Scenarios (bench/scenarios/): single and bulk enqueue,
 * processing inline and with isolates, steady state, idle latency, delayed-job firing, a
 * critical job's wait behind a busy backlog, processing at large backlogs, Redis memory per
 * waiting job, the memory store, several worker processes, and one node serving many queues.
 *
 * Prints a `meta` JSON line, one JSON line per measurement (per system, variant, retention mode
 * and round), then per retention mode a Markdown table of the best rounds with the Sluice/BullMQ
 * ratio and issue 14's goals. Each measurement works under its own namespace or key prefix,
 * deleted afterwards (or on its own redis-server, stopped afterwards); nothing else on the
 * server is touched.
 *
 * @example
 * ```sh
 * deno task bench                                   # the full profile
 * deno task bench --quick                           # small N everywhere (the CI smoke)
 * deno task bench --benches process,latency --retention keep,remove --rounds 2
 * deno task bench --redis private                   # a redis-server of the bench's own
 * ```
 *
 * @module
 */
import os from "node:os";
import { Redis } from "ioredis";
import { type BenchOptions, parseBenchOptions, type SystemName } from "./_options.ts";
import { measure, type RunContext } from "./_harness.ts";
import { measureInterleaved } from "./_interleave.ts";
import type { Scenario } from "./_scenario.ts";
import { ensurePeers, peerVersions } from "./_peer.ts";
import { PrivateRedis } from "./_private_redis.ts";
import { SLUICE_VERSION } from "./_sluice.ts";
import { bestOf, tableOf } from "./_report.ts";
import type { Measurement } from "./_measurement.ts";
import { SCENARIOS } from "./scenarios/mod.ts";

function systemsOrder(o: BenchOptions, round: number): SystemName[] {
  return round % 2 === 1 ? [...o.systems] : [...o.systems].reverse();
}

/** Whether `scenario` runs both systems interleaved in this run (both are selected). */
function interleaved(o: BenchOptions, scenario: Scenario): boolean {
  return scenario.interleave !== undefined &&
    (["sluice", "bullmq"] as const).every((s) =>
      o.systems.includes(s) && scenario.systems.includes(s)
    );
}

async function main(): Promise<void> {
  const o = parseBenchOptions();
  const scenarios = SCENARIOS.filter((s) => o.benches.includes(s.name));
  const peers = o.systems.includes("bullmq");
  if (peers) await ensurePeers();
  const ownServer = o.redis === "private" ? await PrivateRedis.start() : null;
  const url = ownServer?.url ?? o.redis;
  const admin = new Redis(url, { enableAutoPipelining: false, lazyConnect: true });
  await admin.connect();
  const peer = peers ? await peerVersions() : { bullmq: "-", node: "-" };
  const ctx: RunContext = {
    o,
    runId: crypto.randomUUID().slice(0, 8),
    url,
    admin,
    versions: { sluice: SLUICE_VERSION, bullmq: peer.bullmq },
    cleanups: new Set(),
  };
  const closeAll = async () => {
    for (const cleanup of ctx.cleanups) await cleanup().catch(() => {});
    await admin.quit().catch(() => admin.disconnect());
    await ownServer?.stop();
  };
  const onSignal = () => {
    console.error("interrupted: deleting the bench's keys");
    closeAll().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const started = performance.now();
  const loadAtStart = os.loadavg();
  const all: Measurement[] = [];
  try {
    const server = (await admin.info("server")).match(/redis_version:(\S+)/)?.[1] ?? "unknown";
    console.log(JSON.stringify({
      bench: "meta",
      date: new Date().toISOString(),
      versions: {
        sluice: SLUICE_VERSION,
        bullmq: peer.bullmq,
        deno: Deno.version.deno,
        node: peer.node,
        redis: server,
      },
      machine: {
        cpus: navigator.hardwareConcurrency,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
      },
      redis: ownServer ? "private" : "shared",
      options: { ...o, redis: undefined },
    }));
    for (const retention of o.retentions) {
      for (let round = 1; round <= o.rounds; round++) {
        for (const scenario of scenarios) {
          for (const params of scenario.variants(o)) {
            if (interleaved(o, scenario)) {
              all.push(...await measureInterleaved(ctx, { scenario, params, retention, round }));
              continue;
            }
            for (const system of systemsOrder(o, round)) {
              if (!scenario.systems.includes(system)) continue;
              all.push(await measure(ctx, { scenario, params, system, retention, round }));
            }
          }
        }
      }
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    await closeAll();
  }
  const minutes = (performance.now() - started) / 60_000;
  const best = bestOf(all, scenarios);
  for (const retention of o.retentions) {
    console.log(
      `\n### Sluice ${SLUICE_VERSION} vs BullMQ ${peer.bullmq}, retention: ${retention} ` +
        `(best of ${o.rounds} round${o.rounds === 1 ? "" : "s"})\n`,
    );
    console.log(tableOf(best.filter((m) => m.retention === retention), scenarios));
  }
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  console.log(
    `\nsluice/bullmq: above 1 = Sluice higher (better for j/s); below 1 = Sluice lower ` +
      `(better for ms, bytes, commands/s). Took ${minutes.toFixed(1)} min; load average ` +
      `${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end ` +
      `(${navigator.hardwareConcurrency} cores).`,
  );
}

if (import.meta.main) await main();
