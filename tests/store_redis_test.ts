import type { StoreFactory } from "../src/store/_conformance.ts";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import { runAllCases } from "./_run_all_cases.ts";
import { withRedis } from "./_redis_env.ts";

await withRedis("RedisStore conformance", (url) => {
  const factory: StoreFactory = ({ clock, retention }) => {
    const namespace = `test-${crypto.randomUUID()}`;
    const store = new RedisStore({ url, namespace, clock, ...(retention ? { retention } : {}) });
    const close = store.close.bind(store);
    store.close = async () => {
      await dropNamespace(url, namespace);
      await close();
    };
    return Promise.resolve(store);
  };
  runAllCases("RedisStore", factory);
});
