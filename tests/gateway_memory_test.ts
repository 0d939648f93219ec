import { MemoryStore } from "../mod.ts";
import { gatewayEndpointSuite } from "./_gateway_suite.ts";

gatewayEndpointSuite("MemoryStore", () => Promise.resolve(new MemoryStore()));
