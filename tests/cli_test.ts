/**
 * The command line, in process: help for every command (defaults shown, no type names, only the
 * options that apply), `--version`, `help <command>`, argument errors in the CLI's own words,
 * every client command on one shared store (through an injected target), the refusal of a
 * private memory store, and the demo producer's summary.
 */
import assert from "node:assert/strict";
import { createEngine } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { COMMANDS } from "../src/cli/commands.ts";
import { startDemo } from "../src/cli/demo.ts";
import { version } from "../src/cli/main.ts";
import { createLogger, silentLogger } from "../src/job/logger.ts";
import { DEFAULT_LEADER_TIMING } from "../src/cluster/leader_elector.ts";
import { resolveNodeOptions } from "../src/worker/node_options.ts";
import { until } from "./_engine_conformance.ts";
import { Boom, Greet, killJobs } from "./_gateway_harness.ts";
import { run, runReal } from "./_cli_harness.ts";

Deno.test("cli: --help for the overview and every command; help <command>; --version", async () => {
  const all = await run(["--help"]);
  assert.equal(all.code, 0);
  for (const name of Object.keys(COMMANDS)) {
    assert.match(all.stdout.join("\n"), new RegExp(`\\n  ${name} `));
    const one = await run([name, "--help"]);
    assert.equal(one.code, 0, name);
    const text = one.stdout.join("\n");
    assert.match(text, new RegExp(`^Usage: sluice ${name}`), name);
    assert.doesNotMatch(text, /WorkOptions|EngineOptions|Options\b.*interface|\bstring\b/, name);
    assert.equal((await run(["help", name])).stdout.join("\n"), text, `help ${name}`);
  }
  assert.equal((await run([])).code, 2);
  const unknown = await run(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr.join("\n"), /unknown command "frobnicate"/);
  const version_ = await run(["--version"]);
  assert.deepEqual([version_.code, version_.stdout], [0, [version()]]);
  assert.match(version(), /^sluice \d+\.\d+\.\d+ \(deno \d/);
});

Deno.test("cli: help shows the defaults, and they are the defaults the code uses", async () => {
  const text = (await run(["worker", "--help"])).stdout.join("\n");
  const node = resolveNodeOptions({}, ["q"], 10);
  const shown = (flag: string) =>
    new RegExp(`--${flag} MS[\\s\\S]*?\\(default: (\\d+)\\)`).exec(text)?.[1];
  assert.equal(Number(shown("lease-ms")), node.leaseMs);
  assert.equal(Number(shown("heartbeat-ms")), node.heartbeatMs);
  assert.equal(Number(shown("node-ttl-ms")), node.nodeTtlMs);
  assert.equal(Number(shown("drain-ms")), node.drainMs);
  assert.equal(Number(shown("leader-ttl-ms")), DEFAULT_LEADER_TIMING.ttlMs);
  assert.equal(Number(shown("leader-renew-ms")), DEFAULT_LEADER_TIMING.renewMs);
  assert.match(text, /--concurrency N\s+jobs run at once \[SLUICE_CONCURRENCY\] \(default: 10/);
  const start = (await run(["start", "--help"])).stdout.join("\n");
  assert.match(start, /--port N\s+gateway port \[PORT\] \(default: 8000\)/);
  assert.match(start, /--concurrency N\s+.*\(default: 4\)/);
  assert.match(start, /--store URL\s+.*\(default:\s+memory:\/\/\)/);
  const cancel = (await run(["cancel", "--help"])).stdout.join("\n");
  assert.doesNotMatch(
    cancel,
    /--functions|--concurrency|--port|--delay/,
    "options that do not apply",
  );
  assert.match(cancel, /--url URL/);
});

Deno.test("cli: argument errors are in the CLI's own words, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["enqueue", "add", "{}", "--delay", "-5"],
      /delay must be a non-negative number of milliseconds/,
    ],
    [
      ["enqueue", "add", "{}", "--delay=1e300"],
      /delay must be a non-negative number of milliseconds, at most 31,536,000,000/,
    ],
    [
      ["enqueue", "add", "{}", "--priority", "urgent"],
      /priority must be one of critical, high, normal, low, batch; got "urgent"/,
    ],
    [["enqueue", "add", "{a:"], /payload: not JSON/],
    [["enqueue", "add"], /enqueue needs <function> <payload-json>, or --file PATH/],
    [["queues", "--nope"], /unknown option --nope \(see sluice queues --help\)/],
    [["enqueue", "add", "{}", "--delay"], /--delay needs a value \(MS\)/],
    [["priority", "j-1", "urgent"], /lane must be one of/],
    [["dead", "requeue"], /needs job ids, or --queue Q/],
    [["dead", "frob"], /unknown action "frob"/],
    [["events", "fire", "x"], /events needs: emit <event>/],
    [["start", "--port", "70000"], /port must be a whole number from 0 to 65535; got "70000"/],
    [
      ["worker", "--concurrency", "0", "--store", "redis://127.0.0.1:1"],
      /concurrency must be a whole number of at least 1/,
    ],
  ];
  for (const [args, message] of cases) {
    const out = await run(args);
    assert.equal(out.code, 2, `${args.join(" ")}: ${out.stderr.join("\n")}`);
    assert.match(out.stderr.join("\n"), message, args.join(" "));
  }
  const both = await runReal(["inspect", "x", "--url", "http://x", "--store", "redis://y"]);
  assert.equal(both.code, 2);
  assert.match(
    both.stderr.join("\n"),
    /give --url \(a gateway\) or --store \(its Redis\), not both/,
  );
});

Deno.test("cli: client commands on one store: enqueue, inspect, cancel, retry, priority, queues, dead", async () => {
  const store = new MemoryStore();
  const enqueued = await run([
    "enqueue",
    "add",
    '{"a":2,"b":5,"evil":1}',
    "--priority",
    "high",
    "--id",
    "j-1",
  ], store);
  assert.deepEqual([enqueued.code, enqueued.stdout], [0, ["j-1"]]);
  const inspected = await run(["inspect", "j-1"], store);
  const job = JSON.parse(inspected.stdout.join("\n"));
  assert.deepEqual([job.name, job.priority, job.payload], ["add", "high", { a: 2, b: 5 }]);
  assert.equal((await run(["inspect", "nope"], store)).code, 1);
  const bad = await run(["enqueue", "add", '{"a":"x"}'], store);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr.join("\n"), /invalid payload for "add"/);

  assert.deepEqual((await run(["priority", "j-1", "low"], store)).stdout, ["j-1 low"]);
  const listed = await run(["queues"], store);
  assert.match(listed.stdout[0]!, /^queue\s+critical\s+high\s+normal\s+low\s+batch\s+delayed/);
  assert.match(listed.stdout.find((l) => l.startsWith("math"))!, /^math\s+0\s+0\s+0\s+1\s+0/);
  assert.deepEqual((await run(["cancel", "j-1"], store)).stdout, ["j-1 cancelled"]);
  // cancelling a cancelled job again is a no-op that succeeds (a resent request is harmless)
  assert.deepEqual((await run(["cancel", "j-1"], store)).stdout, ["j-1 cancelled"]);

  const engine = createEngine({ store, logger: silentLogger, functions: [Boom] });
  const [d1, d2, d3] = await engine.enqueueBulk(
    [1, 2, 3].map((n) => ({ job: Boom, payload: { n } })),
  );
  await killJobs(store, "doom", 3);
  const dead = await run(["dead", "--queue", "doom"], store);
  assert.match(dead.stdout[1]!, /boom\s+doom\s+\S+\s+Error: always fails/);
  assert.equal(dead.stdout.length, 4);
  assert.deepEqual((await run(["retry", d1!], store)).stdout, [`${d1} waiting`]);
  assert.deepEqual((await run(["dead", "requeue", d2!], store)).stdout, ["requeued 1 dead job(s)"]);
  assert.deepEqual((await run(["dead", "purge", "--queue", "doom"], store)).stdout, [
    "purged 1 dead job(s)",
  ]);
  assert.equal(await engine.getJob(d3!), null);
  assert.deepEqual((await run(["dead"], store)).stdout, ["no dead jobs"]);
  await engine.close();
});

Deno.test("cli: pause and resume need an existing queue unless --create; nodes; events emit", async () => {
  const store = new MemoryStore();
  const missing = await run(["pause", "typo"], store);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr.join("\n"), /cannot pause queue "typo": no such queue/);
  assert.deepEqual((await run(["pause", "fresh", "--create"], store)).stdout, ["fresh paused"]);
  assert.equal((await store.counts("fresh")).paused, true);
  assert.deepEqual((await run(["resume", "fresh"], store)).stdout, ["fresh resumed"]);
  assert.deepEqual((await run(["nodes"], store)).stdout, ["no nodes"]);
  const emitted = await run(
    ["events", "emit", "user.created", '{"to":"ada"}', "--id", "e-1"],
    store,
  );
  assert.deepEqual(emitted.stdout, ["e-1:greet"]);
  const nobody = await run(["events", "emit", "nobody.listens"], store);
  assert.deepEqual([nobody.code, nobody.stdout], [0, []]);
  assert.match(nobody.stderr.join("\n"), /no function listens/);
});

Deno.test("cli: enqueue --file enqueues NDJSON in batches with a progress bar", async () => {
  const store = new MemoryStore();
  const path = await Deno.makeTempFile({ suffix: ".ndjson" });
  try {
    const lines = Array.from({ length: 1203 }, (_, i) =>
      JSON.stringify({
        job: "add",
        payload: { a: i, b: 1 },
        options: { priority: i % 2 ? "low" : "high" },
      }));
    await Deno.writeTextFile(path, lines.join("\n") + "\n\n");
    const cli = await run(["enqueue", "--file", path, "--batch", "500"], store);
    assert.equal(cli.code, 0, cli.stderr.join("\n"));
    assert.match(cli.stdout.at(-1)!, /enqueued 1203 jobs/);
    assert.equal(cli.progressed.length, 4, "three batches and the final line");
    assert.match(cli.progressed.at(-1)!, /^\[#{24}\] 100% {2}1,203 jobs/);
    const counts = await store.counts("math");
    assert.equal(counts.lanes.high.waiting + counts.lanes.low.waiting, 1203);

    await Deno.writeTextFile(
      path,
      `${lines[0]}\n{"job":"add","payload":{"a":1,"b":1},"options":{"priority":"urgent"}}\n`,
    );
    const bad = await run(["enqueue", "--file", path], store);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr.join("\n"), /:2: options\.priority: .* \(0 jobs enqueued before it\)/);
    await Deno.writeTextFile(path, `${lines[0]}\n{"job":"add","payload":{"a":"x","b":1}}\n`);
    const refused = await run(["enqueue", "--file", path], store);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr.join("\n"),
      /:2: .*invalid payload.* \(0 jobs enqueued before this batch\)/,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("cli: a private memory store is refused, saying how to point at a server", async () => {
  const saved = Deno.env.get("REDIS_URL");
  try {
    Deno.env.set("REDIS_URL", "memory://");
    for (const args of [["enqueue", "add", "{}"], ["queues"], ["inspect", "x"]]) {
      const cli = await runReal(args);
      assert.equal(cli.code, 2, args[0]);
      const text = cli.stderr.join("\n");
      assert.match(text, /memory:\/\/ is a store private to one process/);
      assert.match(
        text,
        /--url http:\/\/HOST:8000 \(SLUICE_URL\).*--store redis:\/\/HOST:6379 \(REDIS_URL\)/,
      );
    }
    for (const command of ["worker", "gateway"]) {
      const out = await run([command]);
      assert.equal(out.code, 2, command);
      assert.match(
        out.stderr.join("\n"),
        /memory:\/\/ is a store private to one process: a worker or gateway in another process can never see it/,
      );
    }
  } finally {
    saved === undefined ? Deno.env.delete("REDIS_URL") : Deno.env.set("REDIS_URL", saved);
  }
});

Deno.test("cli: an unreachable gateway is one clear line", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // a port nothing listens on
  const cli = await runReal(["queues", "--url", `http://127.0.0.1:${port}`]);
  assert.equal(cli.code, 1);
  assert.deepEqual(cli.stderr.length, 1);
  assert.match(
    cli.stderr[0]!,
    new RegExp(
      `^sluice queues: cannot reach Sluice at http://127\\.0\\.0\\.1:${port}: connection refused`,
    ),
  );
});

Deno.test("demo producer: a summary line, not a line per job", async () => {
  const lines: string[] = [];
  const logger = createLogger({ format: "json", write: (l) => lines.push(l) });
  const engine = createEngine({
    store: new MemoryStore(),
    logger: silentLogger,
    functions: [Greet],
  });
  const worker = engine.work({ concurrency: 4 });
  const stop = startDemo(engine, 50, logger, 300);
  try {
    const summary = await until(
      () => Promise.resolve(lines.map((l) => JSON.parse(l)).find((l) => l.completed > 0)),
      (s) => s !== undefined,
    );
    assert.match(summary.event, /^demo: the last 0\.3 s$/);
    assert.ok(summary.emitted >= summary.completed);
    assert.ok(
      lines.length < summary.completed,
      `${lines.length} lines for ${summary.completed} jobs`,
    );
  } finally {
    stop();
    await worker.stop();
    await engine.close();
  }
});
