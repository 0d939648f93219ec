import { gatewayEndpointSuite } from "./_gateway_suite.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

await withRedis("gateway on RedisStore", (url) => {
  gatewayEndpointSuite("RedisStore", () => namespacedStore(url, "test-gw"));
});
