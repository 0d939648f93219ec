/**
 * Scenarios that take worker processes down: SIGKILL every 2-5 s (prefetch off and on, and under
 * a DAG whose edges must hold), SIGSTOP past the lease then SIGCONT, and poison jobs that take
 * their isolate down every time.
 *
 * @module
 */
import type { BulkItem } from "../../../src/engine/options.ts";
import { check, type Fault, type Verdict } from "../checker.ts";
import { ChaosCluster } from "../cluster.ts";
import { killEvery, sleep, until } from "../faults.ts";
import { ChaosDoomed, ChaosPoison, ChaosWork } from "../functions/chaos_jobs.ts";
import type { Profile } from "../profile.ts";
import type { NodeProcess } from "../../../tests/_node_process.ts";
import { readSink } from "../sink.ts";

/** How many of `node`'s log lines mention `text`. */
function mentions(node: NodeProcess, text: string): number {
  const lines = [...node.events.map((e) => JSON.stringify(e)), ...node.stderr.split("\n")];
  return lines.filter((line) => line.includes(text)).length;
}

/** `count` work jobs of `ms` each, with ids `<prefix>-<n>`. */
export function workItems(prefix: string, count: number, ms = 10): BulkItem[] {
  return Array.from({ length: count }, (_, i) => ({
    job: ChaosWork,
    payload: { ms },
    options: { id: `${prefix}-${i}` },
  }));
}

/** Runs `body` on a fresh cluster of `workers` processes, closing it whatever happens. */
export async function withCluster(
  workers: number,
  args: string[],
  body: (cluster: ChaosCluster) => Promise<Verdict>,
  spec: { functions?: "jobs" | "cron"; queue?: string } = {},
): Promise<Verdict> {
  const cluster = await ChaosCluster.open(workers, { args, ...spec });
  try {
    return await body(cluster);
  } finally {
    await cluster.close();
  }
}

/** SIGKILL a random worker every 2-5 s while `items` run; settles and checks. */
async function underKills(
  name: string,
  profile: Profile,
  prefetch: number,
  items: BulkItem[],
  doomed = new Set<string>(),
): Promise<{ verdict: Verdict; cluster: ChaosCluster }> {
  let result: { verdict: Verdict; cluster: ChaosCluster } | null = null;
  await withCluster(
    3,
    ["--concurrency=8", "--reserved-slots=0", `--prefetch=${prefetch}`, "--lease-ms=5000"],
    async (cluster) => {
      await cluster.enqueue(items, 500);
      let settled = false;
      const faults = killEvery(cluster, () => settled);
      settled = await cluster.settle(profile.settleMs);
      const injected = await faults;
      const verdict = await check(name, cluster, injected, { doomed, settled });
      if (injected.length === 0) verdict.problems.push("the load ended before the first kill");
      result = { verdict, cluster };
      if (name.startsWith("dag")) verdict.problems.push(...await edgeProblems(cluster, items));
      return verdict;
    },
  );
  return result!;
}

/** SIGKILL every 2-5 s during `killJobs` jobs, prefetch off or on. */
export async function sigkill(profile: Profile, prefetch: boolean): Promise<Verdict> {
  const name = `SIGKILL every 2-5 s, prefetch ${prefetch ? "on" : "off"}`;
  const items = workItems(`k${prefetch ? 1 : 0}`, profile.killJobs, profile.killJobMs);
  const doomed = Array.from({ length: 5 }, (_, i) => ({
    job: ChaosDoomed,
    payload: {},
    options: { id: `doomed-${i}` },
  }));
  const ids = new Set(doomed.map((d) => d.options.id));
  return (await underKills(name, profile, prefetch ? 4 : 0, [...items, ...doomed], ids)).verdict;
}

/** A DAG of `dagJobs` jobs under SIGKILL: each job after up to two earlier ones. */
export async function dag(profile: Profile): Promise<Verdict> {
  const items: BulkItem[] = [];
  for (let i = 0; i < profile.dagJobs; i++) {
    const batchStart = i - (i % 250); // prerequisites come from earlier bulks
    const deps = new Set<string>();
    for (let k = 0; k < 2 && batchStart > 0; k++) {
      deps.add(`dag-${Math.floor(Math.random() * batchStart)}`);
    }
    items.push({
      job: ChaosWork,
      payload: { ms: profile.killJobMs },
      options: { id: `dag-${i}`, dependsOn: [...deps] },
    });
  }
  return (await underKills("DAG under SIGKILL", profile, 2, items)).verdict;
}

/** Edges whose child started before its prerequisite had completed once. */
async function edgeProblems(cluster: ChaosCluster, items: BulkItem[]): Promise<string[]> {
  const sink = await readSink(cluster.sinkDir);
  const problems: string[] = [];
  let edges = 0;
  for (const item of items) {
    const child = item.options!.id!;
    const start = sink.get(child)?.find((l) => l.kind === "S")?.at ?? Infinity;
    for (const parent of item.options!.dependsOn ?? []) {
      edges++;
      const end = sink.get(parent)?.find((l) => l.kind === "E")?.at ?? Infinity;
      if (start < end) problems.push(`edge ${parent} -> ${child}: child started first`);
    }
  }
  if (edges === 0) problems.push("the DAG has no edges");
  return problems.slice(0, 10);
}

/**
 * SIGSTOP a busy worker past its lease, then SIGCONT: its late outcomes are refused, its jobs
 * ran elsewhere, nothing ran more than twice.
 */
export async function sigstop(profile: Profile): Promise<Verdict> {
  return await withCluster(
    3,
    ["--concurrency=4", "--reserved-slots=0", "--lease-ms=1500"],
    async (cluster) => {
      const faults: Fault[] = [];
      const load = cluster.enqueue(workItems("stop", 300 * profile.pauses, 200), 100);
      let refused = 0;
      for (let i = 0; i < profile.pauses; i++) {
        await sleep(1_500);
        const victim = cluster.pick(false);
        faults.push({ at: Date.now(), pids: [victim.pid] });
        victim.kill("SIGSTOP");
        await sleep(5_000); // over three lease lengths
        victim.kill("SIGCONT");
        const before = refused;
        await until(() => {
          refused = cluster.workers.reduce((n, w) => n + mentions(w, "lease lost"), 0);
          return refused > before;
        }, 10_000);
      }
      await load;
      const settled = await cluster.settle(profile.settleMs);
      const verdict = await check("SIGSTOP past the lease, SIGCONT", cluster, faults, {
        settled,
        maxRuns: 2,
      });
      if (refused === 0) verdict.problems.push("no late outcome was refused");
      verdict.notes.push(`late outcomes refused (lease lost): ${refused}`);
      return verdict;
    },
  );
}

/**
 * Poison jobs that take their isolate down every time (`Deno.exit`, an endless loop, an uncaught
 * error): dead after their attempts, and the worker keeps serving its neighbours.
 */
export async function poison(profile: Profile): Promise<Verdict> {
  return await withCluster(
    2,
    ["--isolates=2", "--concurrency=4", "--reserved-slots=0", "--lease-ms=5000"],
    async (cluster) => {
      const modes = ["exit", "loop", "uncaught"] as const;
      const poisons = modes.map((mode) => ({
        job: ChaosPoison,
        payload: { mode },
        options: { id: `poison-${mode}` },
      }));
      const started = Date.now();
      await cluster.enqueue([...poisons, ...workItems("n", profile.poisonNeighbours)], 100);
      let settled = await cluster.settle(profile.settleMs);
      // the workers still serve once the poison is dead
      await cluster.enqueue(workItems("after", 50));
      settled = settled && await cluster.settle(profile.settleMs);
      const doomed = new Set(poisons.map((p) => p.options.id));
      const sink = await readSink(cluster.sinkDir);
      const faults = [...doomed].flatMap((id) =>
        (sink.get(id) ?? []).filter((l) => l.kind === "S").map((l) => ({ at: l.at, pids: [l.pid] }))
      );
      const verdict = await check("poison job crashing its isolate", cluster, faults, {
        doomed,
        settled,
      });
      for (const id of doomed) {
        const job = await cluster.store.getJob(id);
        if (job?.attempts !== 3) verdict.problems.push(`${id}: ${job?.attempts} attempts, not 3`);
      }
      verdict.notes.push(`poison jobs dead after 3 attempts in ${Date.now() - started} ms`);
      return verdict;
    },
  );
}
