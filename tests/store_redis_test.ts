import { runCases, runStoreConformance, type StoreFactory } from "../src/store/_conformance.ts";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import { ENGINE_CASES } from "./_engine_conformance.ts";
import { FUNCTION_CASES } from "./_engine_function_cases.ts";
import { RETRY_CASES } from "./_engine_retry_cases.ts";
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
  runStoreConformance("RedisStore", factory);
  runCases("RedisStore", factory, ENGINE_CASES);
  runCases("RedisStore", factory, FUNCTION_CASES);
  runCases("RedisStore", factory, RETRY_CASES);
});
