/**
 * `sluice inspect` prints a job's progress and its stored log lines, through both targets (the
 * engine, as on Redis, and the gateway over HTTP), whichever engine ran the job.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { define, type Store } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { until } from "./_engine_conformance.ts";
import { directSetup, engineWith, httpSetup, run, type Setup } from "./_cli_targets.ts";

const releases = new Map<number, PromiseWithResolvers<void>>();

/** Logs, reports progress, then waits to be released. */
const Chatty = define(
  { name: "chatty", payload: z.object({ n: z.number() }), queue: "chat" },
  async ({ n }, ctx) => {
    ctx.log.info("working", { n });
    await ctx.progress(75, "three quarters");
    await releases.get(n)!.promise;
    ctx.log.error("done");
    return n;
  },
);

const engineOn = (store: Store) => engineWith(store, [Chatty]);

const SETUPS: [string, (store: Store) => Setup][] = [
  ["the engine", (store) => directSetup(store, engineOn)],
  ["the gateway", (store) => httpSetup(store, engineOn)],
];

for (const [index, [name, setup]] of SETUPS.entries()) {
  Deno.test(`cli inspect through ${name}: progress and log lines`, async () => {
    const store = new MemoryStore();
    const s = setup(store);
    const worker = engineOn(store);
    const node = worker.work({ concurrency: 1 });
    const release = Promise.withResolvers<void>();
    releases.set(index, release);
    try {
      const id = await s.engine.enqueue(Chatty, { n: index });
      await until(() => s.engine.getJob(id), (j) => j?.progress != null);
      const running = await run(s, ["inspect", id]);
      assert.equal(running.code, 0, running.text);
      const shown = JSON.parse(running.out.join("\n"));
      assert.equal(shown.state, "active");
      assert.deepEqual(shown.progress, { percent: 75, message: "three quarters" });
      assert.deepEqual(
        shown.logs.map((l: { level: string; message: string }) => [l.level, l.message]),
        [["info", "working"]],
      );
      assert.deepEqual(shown.logs[0].fields, { n: index });
      release.resolve();
      await until(() => s.engine.getJob(id), (j) => j?.state === "completed");
      const done = JSON.parse((await run(s, ["inspect", id])).out.join("\n"));
      assert.deepEqual(done.logs.map((l: { message: string }) => l.message), ["working", "done"]);
    } finally {
      release.resolve();
      await node.stop();
      await worker.close();
      await s.close();
    }
  });
}
