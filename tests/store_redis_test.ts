import type { StoreFactory } from "../src/store/_conformance.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { Keys } from "../src/store/redis/keys.ts";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import type { Store } from "../src/store/store.ts";
import { runAllCases } from "./_run_all_cases.ts";
import { withRedis } from "./_redis_env.ts";

await withRedis("RedisStore conformance", (url) => {
  const namespaces = new WeakMap<Store, string>();
  const factory: StoreFactory = ({ clock, retention, events }) => {
    const namespace = `test-${crypto.randomUUID()}`;
    const options = { url, namespace, clock, events, ...(retention ? { retention } : {}) };
    const store = new RedisStore(options);
    namespaces.set(store, namespace);
    const close = store.close.bind(store);
    store.close = async () => {
      await dropNamespace(url, namespace);
      await close();
    };
    return Promise.resolve(store);
  };
  // Wake-ups are pub/sub messages: a waiter hears them once its SUBSCRIBE reached Redis.
  factory.listening = async (store, names) => {
    const prefix = new Keys(namespaces.get(store)!).prefix;
    const channels = names.map((name) => prefix + name);
    const redis = openConnection(url);
    try {
      for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
        const reply = await redis.pubsub("NUMSUB", ...channels) as unknown[];
        if (reply.every((value, i) => i % 2 === 0 || Number(value) > 0)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`nobody subscribed to ${channels.join(", ")} within 5 s`);
    } finally {
      await closeConnection(redis);
    }
  };
  runAllCases("RedisStore", factory);
});
