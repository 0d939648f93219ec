import { gatewayGraphSuite } from "./_gateway_graph_suite.ts";
import { gatewayEndpointSuite } from "./_gateway_suite.ts";
import { namespacedStore, withRedis } from "./_redis_env.ts";

await withRedis("gateway on RedisStore", (url) => {
  gatewayEndpointSuite("RedisStore", () => namespacedStore(url, "test-gw"));
  gatewayGraphSuite("RedisStore", () => namespacedStore(url, "test-gw-graph"));
});
