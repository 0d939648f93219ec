/**
 * A worker node across store calls that fail the way a dropped Redis connection makes them fail
 * (issue 15): a `start` of prefetched jobs that fails is retried (the node neither crashes nor
 * drops the jobs), and an outcome whose write failed, or whose reply was lost after it was
 * written, is sent again: the job completes after one run, not after its lease expired.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createEngine, define, StoreUnavailableError } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import type { StatusCode } from "../src/job/status.ts";
import type { Completion, Failure, TransitionOutcome } from "../src/store/store.ts";
import { eventually } from "./_node_process.ts";

/** A memory store whose next calls fail as on a dropped connection, before or after running. */
class DroppingStore extends MemoryStore {
  /** `start` calls still to fail before running. */
  failStarts = 0;
  /** `complete` calls still to fail: "before" runs nothing, "after" loses the reply. */
  completeFaults: ("before" | "after")[] = [];
  /** `fail` calls still to fail the same way. */
  failFaults: ("before" | "after")[] = [];

  override async start(items: readonly { id: string; token: string }[]): Promise<StatusCode[]> {
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new StoreUnavailableError("connection lost");
    }
    return await super.start(items);
  }

  override async complete(items: readonly Completion[]): Promise<StatusCode[]> {
    return await this.#faulty(this.completeFaults, () => super.complete(items));
  }

  override async fail(items: readonly Failure[]): Promise<TransitionOutcome[]> {
    return await this.#faulty(this.failFaults, () => super.fail(items));
  }

  async #faulty<R>(faults: ("before" | "after")[], call: () => Promise<R>): Promise<R> {
    const fault = faults.shift();
    if (fault === "before") throw new StoreUnavailableError("connection lost");
    const reply = await call();
    if (fault === "after") throw new StoreUnavailableError("connection lost, reply in flight");
    return reply;
  }
}

const runs = new Map<string, number>();

const Step = define(
  {
    name: "step",
    payload: z.object({ fail: z.boolean() }),
    queue: "steps",
    retry: { attempts: 1 },
  },
  async ({ fail }, ctx) => {
    runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (fail) throw new Error("built to fail");
    return "ok";
  },
);

async function scenario(
  store: DroppingStore,
  work: { prefetch: number; concurrency: number },
  jobs: { fail: boolean }[],
): Promise<string[]> {
  const engine = createEngine({ store, logger: silentLogger, functions: [Step] });
  const ids = await engine.enqueueBulk(jobs.map((payload) => ({ job: Step, payload })));
  const node = engine.work({ queues: ["steps"], leaseMs: 60_000, steal: false, ...work });
  try {
    await eventually(
      () => Promise.all(ids.map((id) => store.getJob(id))),
      (all) => all.every((j) => j?.state === "completed" || j?.state === "dead"),
      15_000,
    );
    return ids;
  } finally {
    await node.stop();
    await engine.close();
  }
}

Deno.test("a failed start of prefetched jobs is retried: no crash, no job dropped", async () => {
  runs.clear();
  const store = new DroppingStore();
  store.failStarts = 3;
  const ids = await scenario(
    store,
    { concurrency: 1, prefetch: 3 },
    Array(8).fill({ fail: false }),
  );
  assert.equal(store.failStarts, 0, "the faults were hit");
  for (const id of ids) {
    assert.equal((await store.getJob(id))?.state, "completed");
    assert.equal(runs.get(id), 1, `job ${id} runs`);
  }
});

Deno.test("outcomes whose write failed or whose reply was lost are sent again", async () => {
  runs.clear();
  const store = new DroppingStore();
  store.completeFaults = ["before", "after", "before"];
  store.failFaults = ["after", "before"];
  const jobs = [...Array(4).fill({ fail: false }), ...Array(3).fill({ fail: true })];
  const ids = await scenario(store, { concurrency: 1, prefetch: 0 }, jobs);
  assert.deepEqual([store.completeFaults, store.failFaults], [[], []], "the faults were hit");
  for (const [i, id] of ids.entries()) {
    const job = (await store.getJob(id))!;
    assert.equal(job.state, jobs[i]!.fail ? "dead" : "completed", `job ${i}`);
    assert.equal(job.attempts, 1, `job ${i} attempts`);
    assert.equal(runs.get(id), 1, `job ${i} runs`);
  }
});
