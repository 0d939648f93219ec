/**
 * One clock in production: a store on the system clock lets its scripts read Redis TIME, so a
 * node whose clock runs 30 s ahead neither promotes delayed jobs early nor reclaims leases that
 * are still live. The skew is made by moving `Date.now` (what the system clock reads) in this
 * process; the producer's store runs on an injected clock that keeps the real time.
 */
import assert from "node:assert/strict";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import { newJob, W } from "../src/store/_conformance.ts";
import { withRedis } from "./_redis_env.ts";

await withRedis("clock skew", (url) => {
  Deno.test({
    name: "a node clock 30 s ahead fires nothing early and reclaims no live lease",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const namespace = `skew-${crypto.randomUUID()}`;
      const realNow = Date.now;
      const producer = new RedisStore({ url, namespace, clock: { now: () => realNow() } });
      const node = new RedisStore({ url, namespace }); // the system clock: Date.now
      try {
        const delayed = newJob({ delay: 10_000 });
        const leased = newJob();
        await producer.enqueue([delayed, leased]);
        const [held] = await producer.reserve({ ...W, worker: "other", count: 1, leaseMs: 10_000 });
        assert.equal(held!.id, leased.id);
        Date.now = () => realNow() + 30_000;
        assert.deepEqual(await node.reserve({ ...W, count: 5 }), [], "a delayed job ran early");
        assert.equal(await node.promoteDue(["q"]), 0);
        const { dueIn: due } = await node.idleWait(["q"], "w1");
        assert.ok(due !== null && due > 5_000, `due in ${due} ms by the node's reckoning`);
        assert.deepEqual(await node.reclaimExpired(), { requeued: [], dead: [] });
        assert.equal((await node.getJob(leased.id))!.state, "active");
      } finally {
        Date.now = realNow;
        await node.close();
        await producer.close();
        await dropNamespace(url, namespace);
      }
    },
  });
});
