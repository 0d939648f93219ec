import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import { gatewayEndpointSuite } from "./_gateway_suite.ts";
import { withRedis } from "./_redis_env.ts";

await withRedis("gateway on RedisStore", (url) => {
  gatewayEndpointSuite("RedisStore", () => {
    const namespace = `test-gw-${crypto.randomUUID()}`;
    const store = new RedisStore({ url, namespace });
    const close = store.close.bind(store);
    store.close = async () => {
      await dropNamespace(url, namespace);
      await close();
    };
    return Promise.resolve(store);
  });
});
