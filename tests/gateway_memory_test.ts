import { MemoryStore } from "../store.ts";
import { gatewayGraphSuite } from "./_gateway_graph_suite.ts";
import { gatewayEndpointSuite } from "./_gateway_suite.ts";

gatewayEndpointSuite("MemoryStore", () => Promise.resolve(new MemoryStore()));
gatewayGraphSuite("MemoryStore", () => Promise.resolve(new MemoryStore()));
