/**
 * Decides whether the Redis suites run: they need `REDIS_URL`. Without it they are reported as
 * skipped, loudly; with `SLUICE_REQUIRE_REDIS=1` (set by CI) a missing or unreachable Redis is a
 * failing test instead.
 *
 * @module
 */
import { Redis } from "ioredis";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";

/** What the environment says about Redis for this test run. */
export interface RedisTestEnv {
  /** The URL to use, or null when the Redis suites must not run. */
  url: string | null;
  /** Why the suites do not run (when `url` is null). */
  reason: string;
}

async function probe(url: string): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return `Redis at ${url} does not answer: ${(error as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

/** Reads `REDIS_URL` and checks that Redis answers. */
export async function redisTestEnv(): Promise<RedisTestEnv> {
  const url = Deno.env.get("REDIS_URL");
  if (!url) return { url: null, reason: "REDIS_URL is not set" };
  const problem = await probe(url);
  return problem ? { url: null, reason: problem } : { url, reason: "" };
}

/**
 * Registers `register(url)`'s tests when Redis is there. Otherwise registers one ignored test
 * naming the skipped suite and prints a warning, or, when `SLUICE_REQUIRE_REDIS=1`, one failing
 * test.
 */
export async function withRedis(suite: string, register: (url: string) => void): Promise<void> {
  const env = await redisTestEnv();
  if (env.url) return register(env.url);
  if (Deno.env.get("SLUICE_REQUIRE_REDIS") === "1") {
    Deno.test(`${suite}: Redis is required (SLUICE_REQUIRE_REDIS=1)`, () => {
      throw new Error(`${suite} cannot run: ${env.reason}`);
    });
    return;
  }
  console.warn(
    `\n!!! SKIPPED ${suite}: ${env.reason}. Set REDIS_URL=redis://127.0.0.1:6379 to run it. !!!\n`,
  );
  Deno.test({ name: `${suite}: SKIPPED (${env.reason})`, ignore: true, fn: () => {} });
}

/**
 * A `RedisStore` at `url` in a fresh namespace named after `prefix`; closing it drops the
 * namespace's keys first.
 */
export function namespacedStore(url: string, prefix: string): Promise<RedisStore> {
  const namespace = `${prefix}-${crypto.randomUUID()}`;
  const store = new RedisStore({ url, namespace });
  const close = store.close.bind(store);
  store.close = async () => {
    await dropNamespace(url, namespace);
    await close();
  };
  return Promise.resolve(store);
}
