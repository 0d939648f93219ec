/**
 * The Redis store on a Redis Cluster (issue 15, item 4): a private three-master cluster on
 * loopback (`tests/_redis_cluster.ts`), reached with a `?cluster=1` URL. The whole store
 * conformance suite runs on it (every script declares its namespace prefix as its key and builds
 * the rest from it, so no CROSSSLOT; wake-ups and cancellations travel by pub/sub across the
 * cluster bus), no key outside a namespace's hash tag is ever written, a cold node answers a
 * script it never saw (NOSCRIPT handled), two namespaces whose hash tags live on different
 * masters are served side by side, each from its own shard, an ACL user with the cluster rule set
 * works, and `?cluster=1` on a plain server is refused at start with the reason.
 */
import assert from "node:assert/strict";
import type { Cluster } from "ioredis";
import { runStoreConformance, type StoreFactory } from "../src/store/_conformance.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { connectStore } from "../src/store/open_store.ts";
import { aclRules } from "../src/store/redis/access.ts";
import { silentLogger } from "../src/job/logger.ts";
import { Keys } from "../src/store/redis/keys.ts";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import type { Store } from "../src/store/store.ts";
import { PrivateCluster } from "./_redis_cluster.ts";
import { withRedis } from "./_redis_env.ts";
import { roundTrip } from "./_store_roundtrip.ts";

/** Sums, per channel, the subscribers every master reports (PUBSUB NUMSUB is node-local). */
async function subscribers(admin: Cluster, channels: readonly string[]): Promise<number[]> {
  const totals = channels.map(() => 0);
  for (const node of admin.nodes("master")) {
    const reply = await node.pubsub("NUMSUB", ...channels) as unknown[];
    channels.forEach((_, i) => totals[i]! += Number(reply[2 * i + 1]));
  }
  return totals;
}

/** Every key of the cluster (SCAN on each master), by master port. */
async function keysByMaster(admin: Cluster): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const node of admin.nodes("master")) {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "COUNT", 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    found.set(node.options.port!, keys);
  }
  return found;
}

await withRedis("RedisStore on a Redis Cluster", async (plain) => {
  const cluster = await PrivateCluster.start();
  const url = cluster.url;
  const admin = openConnection(url) as Cluster;
  await admin.ping();

  const namespaces = new WeakMap<Store, string>();
  const factory: StoreFactory = ({ clock, retention, events }) => {
    const namespace = `cl-${crypto.randomUUID()}`;
    const options = { url, namespace, clock, events, ...(retention ? { retention } : {}) };
    const store = new RedisStore(options);
    namespaces.set(store, namespace);
    const close = store.close.bind(store);
    store.close = async () => {
      await dropNamespace(admin, namespace);
      await close();
    };
    return Promise.resolve(store);
  };
  factory.listening = async (store, names) => {
    const prefix = new Keys(namespaces.get(store)!).prefix;
    const channels = names.map((name) => prefix + name);
    for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
      if ((await subscribers(admin, channels)).every((n) => n > 0)) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`nobody subscribed to ${channels.join(", ")} within 5 s`);
  };

  runStoreConformance("RedisStore on a cluster", factory);

  Deno.test({
    name:
      "cluster: a node that never ran a script answers it (NOSCRIPT: EVAL; a missing function: loaded)",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const store = await RedisStore.connect({ url, namespace: "cl-noscript" });
      try {
        assert.deepEqual(await roundTrip(store, 3), [0, 2, 4]);
        for (const node of admin.nodes("master")) {
          await node.call("SCRIPT", "FLUSH");
          await node.call("FUNCTION", "FLUSH");
        }
        assert.deepEqual(await roundTrip(store, 3), [0, 2, 4]);
      } finally {
        await dropNamespace(admin, "cl-noscript");
        await store.close();
      }
    },
  });

  Deno.test({
    name: "cluster: two namespaces on two different masters are served side by side",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      // pick two namespaces whose hash tags map to slots of different masters
      const chosen: { namespace: string; slot: number; port: number }[] = [];
      for (let i = 0; chosen.length < 2 && i < 100; i++) {
        const namespace = `shard-${i}`;
        const slot = await cluster.keySlot(`${new Keys(namespace).prefix}queues`);
        const { port } = await cluster.masterOf(slot);
        if (chosen.every((c) => c.port !== port)) chosen.push({ namespace, slot, port });
      }
      assert.equal(chosen.length, 2, "two namespaces on different masters");
      const [a, b] = chosen as [(typeof chosen)[0], (typeof chosen)[0]];
      console.log(
        `  ${a.namespace}: slot ${a.slot} on :${a.port}; ${b.namespace}: slot ${b.slot} on :${b.port}`,
      );
      const stores = await Promise.all(
        [a, b].map((c) => RedisStore.connect({ url, namespace: c.namespace })),
      );
      try {
        const results = await Promise.all(stores.map((s) => roundTrip(s, 20)));
        const expected = Array.from({ length: 20 }, (_, n) => n * 2);
        assert.deepEqual(results, [expected, expected]);
        // each namespace's keys live on its own master only
        const keys = await keysByMaster(admin);
        for (const c of [a, b]) {
          const tag = new Keys(c.namespace).prefix;
          for (const [port, list] of keys) {
            const mine = list.filter((k) => k.startsWith(tag)).length;
            if (port === c.port) assert.ok(mine > 0, `${c.namespace} has keys on :${port}`);
            else assert.equal(mine, 0, `${c.namespace} has no keys on :${port}`);
          }
        }
      } finally {
        for (const c of [a, b]) await dropNamespace(admin, c.namespace);
        for (const s of stores) await s.close();
      }
    },
  });

  Deno.test({
    name: "cluster: an ACL user with the cluster rule set of docs/security.md runs jobs",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const rules = aclRules("*", { cluster: true }).split(" ");
      for (const node of admin.nodes("master")) {
        await node.call("ACL", "SETUSER", "jobs", "reset", "on", ">pw", ...rules);
      }
      const userUrl = url.replace("redis://", "redis://jobs:pw@");
      const store = await RedisStore.connect({ url: userUrl, namespace: "cl-acl" });
      try {
        assert.deepEqual(await roundTrip(store, 4), [0, 2, 4, 6]);
      } finally {
        await dropNamespace(admin, "cl-acl");
        await store.close();
      }
    },
  });

  Deno.test({
    name: "cluster: ?cluster=1 on a server without cluster support is refused at start",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const url = `${plain}${plain.includes("?") ? "&" : "?"}cluster=1`;
      await assert.rejects(
        connectStore(url, { namespace: "cl-none", logger: silentLogger, connectTimeoutMs: 1_000 }),
        /cannot reach Redis at .*cluster=1: .*cluster support disabled/,
      );
    },
  });

  Deno.test({
    name: "cluster: no key was ever written outside a namespace's hash tag; stop the cluster",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      try {
        const stray = [...(await keysByMaster(admin)).values()].flat()
          .filter((k) => !/^\{sluice:[^{}]+\}:/.test(k));
        assert.deepEqual(stray, []);
      } finally {
        await closeConnection(admin);
        await cluster.stop();
      }
    },
  });
});
