/**
 * `sluice schedules` and `sluice reschedule`, in process: straight on a store (through an engine
 * target) and through a gateway over HTTP, with their refusals in the CLI's own words.
 */
import assert from "node:assert/strict";
import { createEngine, silentLogger } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import { harness, TOKENS } from "./_gateway_harness.ts";
import { Add } from "./_gateway_harness.ts";
import { run, runReal } from "./_cli_harness.ts";

Deno.test("cli: schedules set, list, pause, resume, trigger and delete on a store", async () => {
  const store = new MemoryStore();
  const set = await run([
    "schedules",
    "set",
    "nightly",
    "add",
    "0 9 * * *",
    '{"a":1,"b":2}',
    "--tz",
    "America/New_York",
    "--catch-up",
    "one",
    "--priority",
    "high",
  ], store);
  assert.equal(set.code, 0, set.stderr.join("\n"));
  assert.match(set.stdout[0]!, /^nightly set; next: \d{4}-\d{2}-\d{2} 09:00:00 America\/New_York$/);
  const engine = createEngine({ store, logger: silentLogger, functions: [Add] });
  const stored = (await engine.schedules.get("nightly"))!;
  assert.deepEqual([stored.catchUp, stored.priority, stored.payload], ["one", "high", {
    a: 1,
    b: 2,
  }]);
  const list = await run(["schedules"], store);
  assert.match(list.stdout[0]!, /^schedule\s+function\s+pattern\s+tz\s+paused\s+next \(in tz\)/);
  assert.match(
    list.stdout[1]!,
    /^nightly\s+add\s+0 9 \* \* \*\s+America\/New_York\s+no\s+.* 09:00:00/,
  );
  assert.deepEqual((await run(["schedules", "pause", "nightly"], store)).stdout, [
    "nightly paused",
  ]);
  assert.match((await run(["schedules", "list"], store)).stdout[1]!, /America\/New_York\s+yes/);
  assert.deepEqual((await run(["schedules", "resume", "nightly"], store)).stdout, [
    "nightly resumed",
  ]);
  const triggered = await run(["schedules", "trigger", "nightly"], store);
  assert.match(triggered.stdout[0]!, /^cron:nightly:trigger:/);
  assert.deepEqual((await engine.getJob(triggered.stdout[0]!))?.payload, { a: 1, b: 2 });
  assert.deepEqual((await run(["schedules", "delete", "nightly"], store)).stdout, [
    "nightly deleted",
  ]);
  const again = await run(["schedules", "delete", "nightly"], store);
  assert.deepEqual([again.code, again.stderr], [1, [
    'sluice schedules: schedule "nightly" not found',
  ]]);
  assert.deepEqual((await run(["schedules"], store)).stdout, ["no schedules"]);
  await engine.close();
});

Deno.test("cli: schedules refuses bad patterns, zones and actions in its own words", async () => {
  const cases: [string[], RegExp][] = [
    [["schedules", "set", "x", "add", "0 25 * * *"], /pattern: invalid cron pattern.*0-23/],
    [["schedules", "set", "x", "add", "@daily", "--tz", "Moon/Base"], /unknown time zone/],
    [["schedules", "set", "x", "add"], /needs <name> <function> <pattern>/],
    [["schedules", "set", "x", "add", "@daily", "--catch-up", "most"], /catch-up must be one of/],
    [["schedules", "frob"], /unknown action "frob"/],
    [["schedules", "pause"], /schedules pause needs one <name>/],
  ];
  for (const [args, message] of cases) {
    const cli = await run(args);
    assert.equal(cli.code, 2, args.join(" "));
    assert.match(cli.stderr.join("\n"), message, args.join(" "));
  }
  const payload = await run(["schedules", "set", "x", "add", "@daily", '{"a":"one"}']);
  assert.equal(payload.code, 1);
  assert.match(payload.stderr[0]!, /invalid payload for "add"/);
});

Deno.test("cli: reschedule moves a job's due time; a running job is refused", async () => {
  const store = new MemoryStore();
  const engine = createEngine({ store, logger: silentLogger, functions: [Add] });
  const id = await engine.enqueue(Add, { a: 1, b: 1 });
  assert.deepEqual((await run(["reschedule", id, "--delay", "60000"], store)).stdout, [
    `${id} delayed`,
  ]);
  const at = new Date(Date.now() + 30 * 86_400_000).toISOString();
  assert.deepEqual((await run(["reschedule", id, "--at", at], store)).stdout, [`${id} delayed`]);
  assert.equal((await engine.getJob(id))?.runAt, Date.parse(at));
  assert.deepEqual((await run(["reschedule", id, "--at", "0"], store)).stdout, [`${id} waiting`]);
  for (const args of [[id], [id, "--delay", "1", "--at", "1"], [id, "--at", "tomorrow"]]) {
    assert.equal((await run(["reschedule", ...args], store)).code, 2, args.join(" "));
  }
  await store.reserve({ worker: "w", queues: ["math"], count: 1, leaseMs: 60_000 });
  const active = await run(["reschedule", id, "--delay", "5"], store);
  assert.equal(active.code, 1);
  assert.match(active.stderr[0]!, /cannot reschedule job ".*": it is active/);
  await engine.close();
});

Deno.test("cli: schedules and reschedule through a gateway", async () => {
  const h = await harness(new MemoryStore());
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    h.gateway.app.fetch,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const saved = Deno.env.get("SLUICE_ADMIN_TOKEN");
  Deno.env.set("SLUICE_ADMIN_TOKEN", TOKENS.admin);
  try {
    const list = await runReal(["schedules", "--url", url]);
    assert.match(list.stdout[1]!, /^nightly-add\s+add\s+0 9 \* \* \*/);
    const set = await runReal([
      "schedules",
      "set",
      "hourly",
      "add",
      "0 * * * *",
      '{"a":1,"b":1}',
      "--url",
      url,
    ]);
    assert.equal(set.code, 0, set.stderr.join("\n"));
    assert.equal((await h.engine.schedules.get("hourly"))?.tz, "UTC");
    assert.deepEqual((await runReal(["schedules", "pause", "hourly", "--url", url])).stdout, [
      "hourly paused",
    ]);
    assert.equal((await h.engine.schedules.get("hourly"))?.paused, true);
    const triggered = await runReal(["schedules", "trigger", "hourly", "--url", url]);
    assert.ok(await h.engine.getJob(triggered.stdout[0]!));
    await runReal(["schedules", "delete", "hourly", "--url", url]);
    assert.equal(await h.engine.schedules.get("hourly"), null);
    const missing = await runReal(["schedules", "resume", "hourly", "--url", url]);
    assert.deepEqual([missing.code, missing.stderr], [1, [
      'sluice schedules: schedule "hourly" not found',
    ]]);
    const moved = await runReal(["reschedule", h.waiting, "--delay", "60000", "--url", url]);
    assert.deepEqual(moved.stdout, [`${h.waiting} delayed`]);
  } finally {
    saved === undefined
      ? Deno.env.delete("SLUICE_ADMIN_TOKEN")
      : Deno.env.set("SLUICE_ADMIN_TOKEN", saved);
    await server.shutdown();
    await h.close();
  }
});
