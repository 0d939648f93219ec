/**
 * The command line against a running Sluice, as a user runs it (issue 13, item 1): `sluice start`
 * in one process, then `enqueue`, `inspect`, `cancel`, `dead requeue` in others, through the
 * gateway (HTTP) and straight through Redis. And the gateway of a fresh `start` refuses a
 * cross-origin POST and a foreign `Host` (issue 9, item 6).
 */
import assert from "node:assert/strict";
import { dropNamespace } from "../src/store/redis/redis_store.ts";
import { eventually } from "./_node_process.ts";
import { rawRequest, ServerProcess, sluice } from "./_cli_process.ts";
import { withRedis } from "./_redis_env.ts";

const FUNCTIONS = "tests/fixtures/cli_functions";

interface JobView {
  state: string;
  history: unknown[];
  payload: unknown;
}

/** Runs the round trip with client commands given `target` options (and `env`). */
async function roundTrip(target: string[], env: Record<string, string>): Promise<void> {
  const run = (...args: string[]) => sluice([...args, ...target], env);
  const inspect = async (id: string): Promise<JobView> => {
    const out = await run("inspect", id);
    assert.equal(out.code, 0, out.stderr.join("\n"));
    return JSON.parse(out.stdout.join("\n"));
  };

  const later = await run("enqueue", "flaky", '{"fail":false,"extra":1}', "--delay", "600000");
  assert.equal(later.code, 0, later.stderr.join("\n"));
  const id = later.stdout[0]!;
  const job = await inspect(id);
  assert.equal(job.state, "delayed");
  assert.deepEqual(job.payload, { fail: false }, "the stored payload is the schema's output");
  assert.deepEqual((await run("cancel", id)).stdout, [`${id} cancelled`]);
  assert.equal((await inspect(id)).state, "cancelled");

  const doomed = (await run("enqueue", "flaky", '{"fail":true}')).stdout[0]!;
  await eventually(() => inspect(doomed), (j) => j.state === "dead");
  const requeued = await run("dead", "requeue", doomed);
  assert.deepEqual([requeued.code, requeued.stdout], [0, ["requeued 1 dead job(s)"]]);
  const again = await eventually(() => inspect(doomed), (j) => j.history.length === 2);
  assert.equal(again.state, "dead", "it ran again (and failed again)");

  const bad = await run("enqueue", "flaky", '{"fail":"no"}');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr.join("\n"), /invalid payload for "flaky": fail: /);
}

Deno.test({
  name: "cli: start (memory), then enqueue, inspect, cancel, dead requeue through the gateway",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = new ServerProcess([
      "start",
      "--port=0",
      "--demo-rate=0",
      "--functions",
      FUNCTIONS,
    ]);
    try {
      const url = await server.url();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      await server.waitFor(/loopback only/);
      await roundTrip([], { SLUICE_URL: url });

      // the curl: a cross-origin text/plain POST is refused, and so is a foreign Host
      const curl = await fetch(`${url}v1/queues/cli/pause`, {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "text/plain" },
      });
      assert.equal(curl.status, 403);
      assert.equal((await curl.json()).error.code, "CROSS_ORIGIN_REFUSED");
      assert.equal(await rawRequest(url, "GET", "/v1/queues", { host: "attacker.example" }), 403);
      assert.equal(await rawRequest(url, "GET", "/v1/queues", { host: "localhost" }), 200);
      const queues = await sluice(["queues"], { SLUICE_URL: url });
      assert.match(queues.stdout.find((l) => l.startsWith("cli"))!, /\sno$/, "not paused");
    } finally {
      server.kill("SIGTERM");
      const status = await server.exited;
      assert.equal(status.code, 0, server.lines.join("\n"));
      assert.ok(server.lines.some((l) => /stopping/.test(l)));
    }
  },
});

Deno.test({
  name: "cli: start refuses a public address without a token",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const out = await sluice(["start", "--port=0", "--hostname=0.0.0.0", "--demo-rate=0"]);
    assert.equal(out.code, 1);
    assert.match(out.stderr.join("\n"), /refusing to serve on 0\.0\.0\.0 without a token/);
  },
});

await withRedis("cli on Redis", (redisUrl) => {
  Deno.test({
    name: "cli on Redis: start, then the same commands straight through Redis and through HTTP",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const namespace = `test-cli-${crypto.randomUUID()}`;
      const server = new ServerProcess(
        ["start", "--port=0", "--demo-rate=0", "--functions", FUNCTIONS, "--log-format=json"],
        { REDIS_URL: redisUrl, SLUICE_NAMESPACE: namespace },
      );
      try {
        const url = await server.url();
        const line = JSON.parse(await server.waitFor(/"event":"engine on Redis"/));
        assert.equal(line.level, "info");
        await roundTrip(["--store", redisUrl, "--namespace", namespace], {
          SLUICE_FUNCTIONS: FUNCTIONS, // enqueue checks payloads against these
        });
        await roundTrip(["--url", url], {});
      } finally {
        server.kill("SIGTERM");
        const status = await server.exited;
        assert.equal(status.code, 0, server.lines.join("\n"));
        await dropNamespace(redisUrl, namespace);
      }
    },
  });
});
