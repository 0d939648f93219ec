/**
 * A rate limit on the memory store with the real clock, as on Redis in limits_nodes_test.ts:
 * three worker nodes in one process share a function limited to 50 starts a second; over 10 s no
 * sliding second holds more than 50 starts, throughput is at least 90% of the limit, and another
 * function in the same queue runs at full speed meanwhile.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, silentLogger } from "../mod.ts";
import { MemoryStore } from "../store.ts";

Deno.test("memory store: a rate limit of 50/s holds across three nodes at >= 90% of it", async () => {
  const store = new MemoryStore();
  const limited = define({
    name: "limited",
    payload: z.object({}),
    queue: "lim",
    rateLimit: { max: 50, duration: 1_000 },
  }, () => new Promise((resolve) => setTimeout(resolve, 5)));
  const free = define({ name: "free", payload: z.object({}), queue: "lim" }, () => {});
  const engine = createEngine({ store, logger: silentLogger, functions: [limited, free] });
  const nodes = [1, 2, 3].map(() => engine.work({ concurrency: 8, idlePollMs: 200 }));
  try {
    const seconds = 10;
    const ids = await engine.enqueueBulk(
      Array.from({ length: 50 * seconds + 100 }, () => ({ job: limited, payload: {} })),
    );
    const others = await engine.enqueueBulk(
      Array.from({ length: 1_000 }, () => ({ job: free, payload: {} })),
    );
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
    const starts = (await store.getJobs(ids)).flatMap((j) => j?.startedAt ?? [])
      .filter((at) => at < t0 + seconds * 1_000)
      .sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, from = 0; i < starts.length; i++) {
      while (starts[i]! - starts[from]! >= 1_000) from++;
      busiest = Math.max(busiest, i - from + 1);
    }
    assert.ok(busiest <= 50, `a 1 s window held ${busiest} starts`);
    assert.ok(starts.length >= 0.9 * 50 * seconds, `only ${starts.length} starts in ${seconds} s`);
    const freeJobs = await store.getJobs(others);
    assert.ok(freeJobs.every((j) => j?.state === "completed"), "the other function was held back");
    const lastFree = Math.max(...freeJobs.map((j) => j!.finishedAt!));
    assert.ok(lastFree - t0 < seconds * 1_000 / 2, `"free" took ${lastFree - t0} ms`);
  } finally {
    await Promise.all(nodes.map((n) => n.stop({ drainMs: 0 })));
    await engine.close();
  }
});
