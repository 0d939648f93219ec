/**
 * Reading store URLs (`?cluster=1`, `rediss://` with `?tls_ca=`) and naming refused permissions,
 * without Redis.
 */
import assert from "node:assert/strict";
import { parseStoreUrl } from "../src/store/redis/store_url.ts";
import { redactUrl, refusedPermission } from "../src/store/redis/connection_state.ts";

Deno.test("store url: cluster=1 and tls_ca are Sluice's, taken out before ioredis sees the URL", async () => {
  const plain = parseStoreUrl("redis://u:p%40ss@10.0.0.5:7000/2");
  assert.equal(plain.cluster, false);
  assert.equal(plain.tls, false);
  assert.equal(plain.username, "u");
  assert.equal(plain.password, "p@ss");
  assert.equal(plain.url, "redis://u:p%40ss@10.0.0.5:7000/2");
  const cluster = parseStoreUrl("redis://10.0.0.5:7000?cluster=1&family=4");
  assert.deepEqual([cluster.cluster, cluster.host, cluster.port], [true, "10.0.0.5", 7000]);
  assert.equal(cluster.url, "redis://10.0.0.5:7000?family=4");
  assert.equal(parseStoreUrl("redis://h?cluster=0").cluster, false);
  assert.throws(() => parseStoreUrl("redis://h?cluster=maybe"), /use cluster=1/);
  assert.throws(() => parseStoreUrl("redis://h?tls_ca=/x.pem"), /not rediss/);
  const dir = await Deno.makeTempDir({ prefix: "sluice-url-" });
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, "PEM");
    const tls = parseStoreUrl(`rediss://h:6380?tls_ca=${encodeURIComponent(`${dir}/ca.pem`)}`);
    assert.deepEqual([tls.tls, tls.ca, tls.url], [true, "PEM", "rediss://h:6380"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(redactUrl("rediss://jobs:secret@h:6380"), "rediss://jobs:***@h:6380");
});

Deno.test("store url: a refusal names the permission, from a command or from inside a script", () => {
  assert.equal(
    refusedPermission(
      new Error("NOPERM this user has no permissions to run the 'evalsha' command"),
    ),
    "the 'evalsha' command",
  );
  assert.equal(
    refusedPermission(
      new Error("NOPERM this user has no permissions to access one of the keys used as arguments"),
    ),
    "one of the keys used as arguments",
  );
  assert.equal(
    refusedPermission(
      new Error(
        "ERR The user executing the script can't run this command or subcommand script: abc, on @user_script:1.",
      ),
    ),
    "run this command or subcommand (inside a Sluice script)",
  );
  assert.equal(refusedPermission(new Error("ERR wrong number of arguments")), null);
});
