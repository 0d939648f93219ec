/**
 * An unreachable Redis, as the processes users run see it (issue 13, item 2): `start`, `worker`
 * and `queues` against a closed port each exit non-zero within 10 s with one line saying why;
 * Redis stopped under a running `start`: the API answers 503 with `Retry-After` at once, the log
 * says "lost" once and "reconnected" once, and SIGTERM stops the process within its drain time.
 */
import assert from "node:assert/strict";
import { PrivateRedis } from "./_redis_server.ts";
import { eventually } from "./_node_process.ts";
import { ServerProcess, sluice } from "./_cli_process.ts";

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test({
  name: "start, worker and queues against a closed port: non-zero within 10 s, one clear line",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const url = `redis://127.0.0.1:${closedPort()}`;
    const runs = [
      ["start", "--port=0", "--demo-rate=0"],
      ["worker"],
      ["queues", "--store", url],
    ].map(async (args) => {
      const began = performance.now();
      const out = await sluice(args, { REDIS_URL: url });
      return { args, out, ms: performance.now() - began };
    });
    for (const { args, out, ms } of await Promise.all(runs)) {
      assert.equal(out.code, 1, `${args[0]}: ${out.stderr.join("\n")}`);
      assert.deepEqual(out.stderr, [
        `sluice ${args[0]}: cannot reach Redis at ${url}: connection refused`,
      ]);
      assert.deepEqual(out.stdout, [], `${args[0]} printed nothing else`);
      assert.ok(ms < 10_000, `${args[0]} took ${Math.round(ms)} ms`);
    }
  },
});

Deno.test({
  name:
    "Redis stops under a running start: 503 at once, one lost and one reconnected line, SIGTERM stops it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const redis = await PrivateRedis.start();
    const drainMs = 2_000;
    const server = new ServerProcess([
      "start",
      "--port=0",
      "--demo-rate=0",
      `--drain-ms=${drainMs}`,
      "--log-format=json",
      "--store",
      redis.url,
    ]);
    try {
      const url = await server.url();
      const queues = async () => {
        const asked = performance.now();
        const res = await fetch(`${url}v1/queues`);
        await res.body?.cancel();
        return {
          status: res.status,
          retryAfter: res.headers.get("retry-after"),
          ms: performance.now() - asked,
        };
      };
      assert.equal((await queues()).status, 200);

      await redis.stop();
      await server.waitFor(/Redis connection lost/);
      for (let i = 0; i < 5; i++) {
        const answer = await queues();
        assert.equal(answer.status, 503);
        assert.equal(answer.retryAfter, "2");
        assert.ok(answer.ms < 1_000, `answered after ${Math.round(answer.ms)} ms`);
        const enqueue = await fetch(`${url}v1/jobs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ job: "send-welcome-email", payload: { to: "a@b.co", name: "A" } }),
        });
        assert.equal(enqueue.status, 503);
        assert.equal((await enqueue.json()).error.code, "STORE_UNAVAILABLE");
        await new Promise((r) => setTimeout(r, 300)); // let the outage last across retries
      }

      await redis.restart();
      await eventually(() => queues(), (a) => a.status === 200, 15_000);
      await server.waitFor(/Redis reconnected/);
      const logged = server.lines.map((l) => JSON.parse(l) as { level: string; event: string });
      assert.equal(logged.filter((l) => /Redis connection lost/.test(l.event)).length, 1);
      assert.equal(logged.filter((l) => /Redis reconnected/.test(l.event)).length, 1);
      const warnings = logged.filter((l) => l.level === "warn" || l.level === "error");
      const repeated = warnings.filter((l, i) =>
        warnings.findIndex((w) => w.event === l.event) !== i
      );
      assert.deepEqual(repeated, [], "a warning repeated per retry");

      await redis.stop(); // and SIGTERM while Redis is down again: still within the drain time
      await server.waitFor(/Redis connection lost/, 2);
      const stopping = performance.now();
      server.kill("SIGTERM");
      const status = await server.exited;
      const took = performance.now() - stopping;
      assert.ok(took < drainMs + 5_000, `stopped after ${Math.round(took)} ms`);
      assert.equal(status.code, 0, server.lines.join("\n"));
      if (Deno.env.get("SLUICE_SHOW_LOG")) console.log(server.lines.join("\n"));
    } finally {
      await server.close();
      await redis.stop();
    }
  },
});
