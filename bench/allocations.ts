/**
 * What the node allocates per processed job: the draining trial of the process and memory-store
 * scenarios (`jobs` pre-filled no-op jobs, one worker of concurrency 50, events and metrics on),
 * run under V8's sampling heap profiler (through `node:inspector`, objects the collector freed
 * included), printing the bytes allocated per job and the functions that allocated the most.
 * Allocation counts move far less with the machine's load than timings do: on two cores what the
 * node allocates (and its collector's threads then work through) is time Redis waits for a core.
 *
 * ```sh
 * deno task bench:alloc                                  # memory store, 100,000 jobs
 * deno task bench:alloc --redis redis://127.0.0.1:6379   # a RedisStore (its own namespace)
 * deno task bench:alloc --jobs 20000 --retention keep --top 25
 * ```
 *
 * @module
 */
import { Session } from "node:inspector";
import { parseArgs } from "node:util";
import type { SluiceEnv } from "./_scenario.ts";
import { dropSluiceNamespace } from "./_sluice.ts";
import { prepareDrain } from "./scenarios/_drain.ts";
import { positiveCounts } from "./_tool_args.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    jobs: { type: "string", default: "100000" },
    redis: { type: "string", default: "" },
    retention: { type: "string", default: "remove" },
    top: { type: "string", default: "15" },
  },
});
const { jobs, top } = positiveCounts("bench:alloc", { jobs: values.jobs, top: values.top });
const retention = values.retention;
if (retention !== "keep" && retention !== "remove") {
  throw new Error(`bench:alloc: --retention is keep or remove, not ${retention}`);
}
const env: SluiceEnv = { url: values.redis, namespace: `alloc-${crypto.randomUUID()}`, retention };

/** A node of V8's sampling heap profile. */
interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

const session = new Session();
session.connect();
const post = <T>(method: string, params: object = {}) =>
  new Promise<T>((resolve, reject) =>
    session.post(method, params, (error, result) => error ? reject(error) : resolve(result as T))
  );

const trial = await prepareDrain(
  { jobs, concurrency: 50, chunk: 1000, fillInflight: 4, isolates: false },
  env,
  "allocations",
);
let profile: { head: SampleNode };
try {
  await post("HeapProfiler.enable");
  await post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await trial.run();
  ({ profile } = await post<{ profile: { head: SampleNode } }>("HeapProfiler.stopSampling"));
} finally {
  await trial.dispose();
  if (env.url) await dropSluiceNamespace(env.url, env.namespace);
  session.disconnect();
}

const bySite = new Map<string, number>();
let total = 0;
const stack = [profile.head];
for (let node = stack.pop(); node; node = stack.pop()) {
  const { functionName, url, lineNumber } = node.callFrame;
  const site = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${
    lineNumber + 1
  }`;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  total += node.selfSize;
  stack.push(...node.children);
}
const store = env.url ? "RedisStore" : "MemoryStore";
console.log(`${store}, retention ${retention}, ${jobs} jobs: ~${Math.round(total / jobs)} B a job`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${String(Math.round(bytes / jobs)).padStart(7)} B  ${site}`);
}
