/**
 * The endpoint suite: every endpoint called with the admin token on a fresh harness, its status
 * and answer checked. Registered once per store.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Store } from "../mod.ts";
import { call, ENDPOINTS } from "./_gateway_endpoints.ts";
import { harness, TOKENS } from "./_gateway_harness.ts";

/** Registers the suite for stores made by `store()`. */
export function gatewayEndpointSuite(name: string, store: () => Promise<Store>): void {
  for (const c of ENDPOINTS) {
    Deno.test(`gateway on ${name}: ${c.method} ${c.route}`, async () => {
      const h = await harness(await store());
      try {
        const { res, answer } = await call(c, h, TOKENS.admin);
        assert.equal(res.status, c.status, JSON.stringify(answer));
        await c.check?.(answer, h);
      } finally {
        await h.close();
      }
    });
  }
}
