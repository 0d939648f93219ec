/**
 * `sluice queue`: a queue's depth, configuration and limits, changed at run time, straight on a
 * store and through a gateway, with bad options refused in the CLI's own words.
 */
import assert from "node:assert/strict";
import { MemoryStore } from "../store.ts";
import { harness, TOKENS } from "./_gateway_harness.ts";
import { run, runReal } from "./_cli_harness.ts";

Deno.test("cli: queue shows and changes a queue's configuration and rate limit", async () => {
  const store = new MemoryStore();
  await run(["enqueue", "add", '{"a":1,"b":2}'], store);
  const shown = await run(["queue", "math"], store);
  assert.equal(shown.code, 0, shown.stderr.join("\n"));
  assert.match(shown.stdout.join("\n"), /rate limit\s+none/);
  assert.match(shown.stdout.join("\n"), /waiting\s+1 \(0 held by limits\)/);
  const changed = await run(
    ["queue", "math", "--rate-limit", "100/1000", "--weights", "high=9,low=3", "--strict", "on"],
    store,
  );
  assert.equal(changed.code, 0, changed.stderr.join("\n"));
  const text = changed.stdout.join("\n");
  assert.match(text, /rate limit\s+100 per 1000 ms/);
  assert.match(text, /weights\s+critical=\d+ high=9 normal=\d+ low=3 batch=\d+/);
  assert.match(text, /strict\s+on/);
  const off = await run(["queue", "math", "--rate-limit", "off", "--aging-ms", "off"], store);
  assert.match(off.stdout.join("\n"), /rate limit\s+none/);
  assert.match(off.stdout.join("\n"), /aging\s+off/);
  for (
    const [flags, message] of [
      [["--rate-limit", "fast"], /--rate-limit is N\/MS or off/],
      [["--weights", "top=3"], /--weights takes lane=N pairs/],
      [["--strict", "maybe"], /--strict is on or off/],
      [["--rate-limit", "0/1000"], /max must be a whole number from 1/],
    ] as const
  ) {
    const bad = await run(["queue", "math", ...flags], store);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr.join("\n"), message);
  }
  const unknown = await run(["queue", "nowhere", "--rate-limit", "1/1000"], store);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr.join("\n"), /nowhere/);
});

Deno.test("cli: queue through a gateway", async () => {
  const h = await harness(new MemoryStore());
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    h.gateway.app.fetch,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  const saved = Deno.env.get("SLUICE_ADMIN_TOKEN");
  Deno.env.set("SLUICE_ADMIN_TOKEN", TOKENS.admin);
  try {
    const set = await runReal(["queue", "math", "--rate-limit", "5/1000", "--url", url]);
    assert.equal(set.code, 0, set.stderr.join("\n"));
    assert.match(set.stdout.join("\n"), /rate limit\s+5 per 1000 ms/);
    assert.deepEqual((await h.engine.queueConfig("math")).rateLimit, { max: 5, duration: 1_000 });
  } finally {
    if (saved === undefined) Deno.env.delete("SLUICE_ADMIN_TOKEN");
    else Deno.env.set("SLUICE_ADMIN_TOKEN", saved);
    await server.shutdown();
    await h.close();
  }
});
