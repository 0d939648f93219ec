/**
 * Redis ACL users (issue 15, item 5), on a private redis-server: a user holding the rule set of
 * docs/security.md (`aclRules`) runs jobs from a `redis://user:pass@host:port` URL, and so does
 * one without its optional rights to Redis Functions (`fcall`, `function|load`); a user
 * missing a command, its namespace's keys or its channels is refused at start with a
 * `StoreAccessError` whose one line names the missing permission, at once rather than after a
 * hang: `RedisStore.connect` rejects, `sluice worker` and `sluice start` exit non-zero, and a
 * gateway over such a store answers 503.
 */
import assert from "node:assert/strict";
import { createEngine, StoreAccessError } from "../mod.ts";
import { createGateway } from "../gateway.ts";
import { RedisStore } from "../store.ts";
import { silentLogger } from "../src/job/logger.ts";
import { openStore } from "../src/store/open_store.ts";
import { newJob } from "../src/store/_conformance.ts";
import { aclRules } from "../src/store/redis/access.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { sluice } from "./_cli_process.ts";
import { withRedis } from "./_redis_env.ts";
import { PrivateRedis } from "./_redis_server.ts";
import { roundTrip } from "./_store_roundtrip.ts";

const FUNCTIONS = new URL("./fixtures/node_functions/", import.meta.url).pathname;
const PASSWORD = "s3cret-pass";
/** Far more than a refused start needs, far less than a hang. */
const FAST_MS = 20_000;

/** A URL of `server` as `user`. */
function userUrl(server: PrivateRedis, user: string): string {
  return server.url.replace("redis://", `redis://${user}:${PASSWORD}@`);
}

/** Creates (or replaces) ACL user `name` with `rules` on `server`. */
async function setUser(server: PrivateRedis, name: string, rules: string): Promise<void> {
  const admin = openConnection(server.url);
  try {
    await admin.call("ACL", "SETUSER", name, "reset", "on", `>${PASSWORD}`, ...rules.split(" "));
  } finally {
    await closeConnection(admin);
  }
}

/** `rules` without `+command`. */
function without(rules: string, command: string): string {
  return rules.split(" ").filter((r) => r !== `+${command}`).join(" ");
}

await withRedis("Redis ACL users", async () => {
  const server = await PrivateRedis.start();
  await setUser(server, "sluice", aclRules());
  await setUser(server, "app-only", aclRules("app"));
  await setUser(server, "no-zadd", without(aclRules(), "zadd"));
  await setUser(server, "no-eval", without(without(aclRules(), "eval"), "evalsha"));
  await setUser(server, "no-channels", aclRules().replace("&{sluice:*}:*", ""));
  await setUser(server, "no-functions", without(without(aclRules(), "fcall"), "function|load"));

  Deno.test({
    name: "acl: a user with the documented rules runs jobs from redis://user:pass@host:port",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const url = userUrl(server, "sluice");
      const store = await RedisStore.connect({ url, namespace: "acl-ok" });
      try {
        assert.deepEqual(await roundTrip(store, 5), [0, 2, 4, 6, 8]);
        // the completing scripts ran to their end: a refused command in one (HINCRBYFLOAT was)
        // fails it after the job's own fields were written, so the results alone do not show it
        const completed = (await store.metrics()).total.reduce((n, g) => n + g.completed, 0);
        assert.equal(completed, 5);
        assert.equal((await store.counts("roundtrip")).states.completed, 5);
      } finally {
        await store.close();
      }
      // the rights to Redis Functions are optional: without them the scripts run as plain ones
      const plain = await RedisStore.connect({
        url: userUrl(server, "no-functions"),
        namespace: "acl-plain",
      });
      try {
        assert.deepEqual(await roundTrip(plain, 3), [0, 2, 4]);
        assert.equal((await plain.counts("roundtrip")).states.completed, 3);
      } finally {
        await plain.close();
      }
      // a user limited to one namespace works there
      const own = await RedisStore.connect({ url: userUrl(server, "app-only"), namespace: "app" });
      try {
        assert.deepEqual(await roundTrip(own, 2), [0, 2]);
      } finally {
        await own.close();
      }
    },
  });

  Deno.test({
    name: "acl: a user without a needed right is refused at start, naming what is missing",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const cases: [user: string, namespace: string, missing: RegExp][] = [
        ["no-zadd", "acl-x", /the 'zadd' command on keys \{sluice:acl-x\}:\*/],
        ["no-eval", "acl-x", /the 'eval' command/],
        ["no-channels", "acl-x", /the 'subscribe' command on channels \{sluice:acl-x\}:\*/],
        ["app-only", "other", /on keys \{sluice:other\}:\*/],
      ];
      for (const [user, namespace, missing] of cases) {
        const started = Date.now();
        const error = await RedisStore.connect({ url: userUrl(server, user), namespace }).then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(error instanceof StoreAccessError, `${user}: ${error}`);
        assert.equal(error.code, "STORE_ACCESS_DENIED");
        assert.match(error.message, missing);
        assert.match(
          error.message,
          new RegExp(`^Redis user "${user}" at redis://${user}:\\*\\*\\*@`),
        );
        assert.ok(!error.message.includes(PASSWORD), "the password is not in the message");
        assert.equal(error.message.split("\n").length, 1);
        assert.ok(Date.now() - started < FAST_MS, `${user} refused at once`);
      }
    },
  });

  Deno.test({
    name: "acl: a store not checked at start fails each refused call with StoreAccessError",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const store = new RedisStore({ url: userUrl(server, "no-zadd"), namespace: "acl-run" });
      try {
        const error = await store.enqueue([newJob()]).then(() => null, (e: unknown) => e);
        assert.ok(error instanceof StoreAccessError, String(error));
        assert.match(error.message, /lacks a permission Sluice needs: .*inside a Sluice script/);
      } finally {
        await store.close();
      }
    },
  });

  Deno.test({
    name: "acl: `sluice worker` and `sluice start` exit non-zero at once for such a user",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const url = userUrl(server, "no-zadd");
      for (const command of ["worker", "start"]) {
        const started = Date.now();
        const out = await sluice([
          command,
          "--store",
          url,
          "--namespace",
          "acl-cli",
          "--functions",
          FUNCTIONS,
          ...(command === "start" ? ["--port=0"] : []),
        ]);
        const elapsed = Date.now() - started;
        const text = out.stderr.join("\n") + out.stdout.join("\n");
        assert.notEqual(out.code, 0, `${command}: ${text}`);
        assert.match(text, /lacks a permission Sluice needs: the 'zadd' command/);
        assert.ok(!text.includes(PASSWORD), "the password is not printed");
        assert.ok(elapsed < FAST_MS, `${command} exited after ${elapsed} ms`);
      }
    },
  });

  Deno.test({
    name: "acl: a gateway over such a store answers 503 naming the permission",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const store = openStore(userUrl(server, "no-eval"), {
        namespace: "acl-gw",
        logger: silentLogger,
      });
      const engine = createEngine({ store, logger: silentLogger });
      const gateway = createGateway(engine, { open: true, logger: silentLogger });
      try {
        const res = await gateway.app.request("http://127.0.0.1/v1/jobs/some-id");
        const body = await res.json();
        assert.equal(res.status, 503, JSON.stringify(body));
        assert.match(
          JSON.stringify(body),
          /lacks a permission Sluice needs: the 'evalsha' command/,
        );
      } finally {
        gateway.close();
        await engine.close();
        await store.close();
      }
    },
  });

  Deno.test({
    name: "acl: docs/security.md shows the rule set the store checks; stop the server",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      try {
        const doc = await Deno.readTextFile(new URL("../docs/security.md", import.meta.url));
        assert.ok(doc.includes(aclRules()), "docs/security.md holds aclRules()");
        assert.ok(doc.includes(aclRules("*", { cluster: true })), "and its cluster variant");
      } finally {
        await server.stop();
      }
    },
  });
});
