/**
 * The command line: help everywhere, configuration from flags and environment, enqueue (one and
 * from a file, with progress), inspect, queues, dead; `start` serving the dashboard; a Redis
 * round trip between two invocations.
 */
import assert from "node:assert/strict";
import { createEngine, MemoryStore } from "../mod.ts";
import { COMMANDS } from "../src/cli/commands.ts";
import { serveConfig } from "../src/cli/config.ts";
import { type CliIO, openEngine } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { silentLogger } from "../src/job/logger.ts";
import { Add, Boom, Greet, killJobs } from "./_gateway_harness.ts";
import { withRedis } from "./_redis_env.ts";

interface Captured extends CliIO {
  stdout: string[];
  stderr: string[];
  progressed: string[];
}

function io(store = new MemoryStore()): Captured {
  const captured: Captured = {
    stdout: [],
    stderr: [],
    progressed: [],
    out: (line) => captured.stdout.push(line),
    err: (line) => captured.stderr.push(line),
    progress: (text) => captured.progressed.push(text),
    openEngine: () => {
      const engine = createEngine({ store, logger: silentLogger, functions: [Add, Boom, Greet] });
      return Promise.resolve(engine);
    },
  };
  return captured;
}

Deno.test("cli: --help for the overview and every command", async () => {
  const all = io();
  assert.equal(await main(["--help"], all), 0);
  for (const name of Object.keys(COMMANDS)) {
    assert.match(all.stdout.join("\n"), new RegExp(`\\n  ${name} `));
  }
  for (const name of Object.keys(COMMANDS)) {
    const one = io();
    assert.equal(await main([name, "--help"], one), 0, name);
    assert.match(one.stdout.join("\n"), new RegExp(`^Usage: sluice ${name}`), name);
    assert.match(one.stdout.join("\n"), /REDIS_URL/);
  }
  const none = io();
  assert.equal(await main([], none), 2);
  const unknown = io();
  assert.equal(await main(["frobnicate"], unknown), 2);
  assert.match(unknown.stderr.join("\n"), /unknown command "frobnicate"/);
  const badFlag = io();
  assert.equal(await main(["queues", "--nope"], badFlag), 2);
  assert.match(badFlag.stderr.join("\n"), /nope/);
});

Deno.test("cli: enqueue, inspect, queues and dead on one store", async () => {
  const store = new MemoryStore();
  const cli = io(store);
  assert.equal(
    await main(["enqueue", "add", '{"a":2,"b":5}', "--priority", "high", "--id", "j-1"], cli),
    0,
  );
  assert.deepEqual(cli.stdout, ["j-1"]);
  const inspected = io(store);
  assert.equal(await main(["inspect", "j-1"], inspected), 0);
  const job = JSON.parse(inspected.stdout.join("\n"));
  assert.deepEqual([job.name, job.priority, job.payload], ["add", "high", { a: 2, b: 5 }]);
  const missing = io(store);
  assert.equal(await main(["inspect", "nope"], missing), 1);
  const bad = io(store);
  assert.equal(await main(["enqueue", "add", '{"a":"x"}'], bad), 1);
  assert.match(bad.stderr.join("\n"), /invalid payload for "add"/);
  const notJson = io(store);
  assert.equal(await main(["enqueue", "add", "{a:"], notJson), 2);
  assert.match(notJson.stderr.join("\n"), /payload: not JSON/);

  const engine = createEngine({ store, logger: silentLogger, functions: [Boom] });
  await engine.enqueue(Boom, { n: 1 });
  await killJobs(store, "doom", 1);
  const listed = io(store);
  assert.equal(await main(["queues"], listed), 0);
  assert.match(listed.stdout[0]!, /^queue\s+critical\s+high\s+normal\s+low\s+batch\s+delayed/);
  assert.match(listed.stdout.find((l) => l.startsWith("math"))!, /^math\s+0\s+1\s+0/);
  const dead = io(store);
  assert.equal(await main(["dead", "--queue", "doom"], dead), 0);
  assert.match(dead.stdout[1]!, /boom\s+doom\s+\S+\s+Error: always fails/);
  await engine.close();
});

Deno.test("cli: enqueue --file enqueues NDJSON in batches with a progress bar", async () => {
  const store = new MemoryStore();
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  try {
    const lines = Array.from(
      { length: 1203 },
      (_, i) =>
        JSON.stringify({
          job: "add",
          payload: { a: i, b: 1 },
          options: { priority: i % 2 ? "low" : "high" },
        }),
    );
    await Deno.writeTextFile(path, lines.join("\n") + "\n\n");
    const cli = io(store);
    assert.equal(await main(["enqueue", "--file", path, "--batch", "500"], cli), 0);
    assert.match(cli.stdout.at(-1)!, /enqueued 1203 jobs/);
    assert.equal(cli.progressed.length, 4, "three batches and the final line");
    assert.match(cli.progressed.at(-1)!, /^\[#{24}\] 100% {2}1,203 jobs/);
    const counts = await store.counts("math");
    assert.equal(counts.lanes.high.waiting + counts.lanes.low.waiting, 1203);

    await Deno.writeTextFile(
      path,
      `${lines[0]}\n{"job":"add","payload":{"a":1,"b":1},"options":{"priority":"urgent"}}\n`,
    );
    const bad = io(store);
    assert.equal(await main(["enqueue", "--file", path], bad), 2);
    assert.match(bad.stderr.join("\n"), /:2: options\.priority: .* \(0 jobs enqueued before it\)/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("cli: the gateway settings come from flags, else the environment", () => {
  const saved = ["PORT", "SLUICE_ADMIN_TOKEN", "SLUICE_READ_TOKEN"].map((k) =>
    [k, Deno.env.get(k)] as const
  );
  try {
    Deno.env.set("PORT", "9123");
    Deno.env.set("SLUICE_ADMIN_TOKEN", "a");
    Deno.env.delete("SLUICE_READ_TOKEN");
    assert.deepEqual(serveConfig({}), { port: 9123, hostname: undefined, tokens: { admin: "a" } });
    assert.equal(serveConfig({ port: "80" }).port, 80);
    assert.throws(() => serveConfig({ port: "70000" }), /port/);
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
});

Deno.test("cli: start serves the dashboard on the memory store and prints its URL", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=start", "src/cli/main.ts", "start", "--port", "0", "--demo-rate", "20"],
    cwd: new URL("..", import.meta.url).pathname,
    env: { REDIS_URL: "", SLUICE_ADMIN_TOKEN: "", SLUICE_READ_TOKEN: "" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    // read until both lines are in: they may come in separate chunks
    while (!/dashboard and API at (\S+)/.test(text) || !/loopback only/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`start exited: ${text}`);
      text += value;
    }
    const url = /dashboard and API at (\S+)/.exec(text)![1]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(text, /loopback only/);
    assert.match(await (await fetch(url)).text(), /<title>Sluice<\/title>/);
    let completed = 0;
    for (let i = 0; i < 100 && completed === 0; i++) {
      const queues = await (await fetch(`${url}v1/queues`)).json();
      completed = queues.queues[0]?.states.completed ?? 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(completed > 0, "the demo producer's jobs complete");
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    assert.equal(status.code, 0);
  }
});

await withRedis("cli on Redis", (url) => {
  Deno.test("cli on Redis: enqueue in one invocation, inspect in another", async () => {
    const namespace = `test-cli-${crypto.randomUUID()}`;
    const flags = ["--store", url, "--namespace", namespace, "--functions", "./functions"];
    const real = (): Captured => ({ ...io(), openEngine });
    const first = real();
    const payload = JSON.stringify({ to: "ada@example.com", name: "Ada" });
    assert.equal(await main(["enqueue", "send-welcome-email", payload, ...flags], first), 0);
    const second = real();
    assert.equal(await main(["inspect", first.stdout[0]!, ...flags], second), 0);
    assert.equal(JSON.parse(second.stdout.join("\n")).state, "waiting");
    const { dropNamespace } = await import("../src/store/redis/redis_store.ts");
    await dropNamespace(url, namespace);
  });
});
