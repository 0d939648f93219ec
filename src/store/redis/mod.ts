/**
 * The Redis store: `RedisStore` and its test helper `dropNamespace`.
 *
 * @module
 */
export { dropNamespace, RedisStore, type RedisStoreOptions } from "./redis_store.ts";
