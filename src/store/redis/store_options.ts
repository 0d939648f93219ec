/**
 * The options of `RedisStore`: where Redis is, the namespace, the clock, retention, events and
 * metrics.
 *
 * @module
 */
import type { Cluster, Redis } from "ioredis";
import type { Clock } from "../../job/clock.ts";
import type { RetentionConfig } from "../store.ts";

/** Options of `RedisStore`. */
export interface RedisStoreOptions {
  /** Redis URL (default `redis://127.0.0.1:6379`); ignored when `redis` is given. */
  url?: string;
  /** An existing ioredis client or `Cluster` to run commands on; left open on `close`. */
  redis?: Redis | Cluster;
  /** Namespace: every key starts with `{sluice:NAMESPACE}:` (default `"default"`). */
  namespace?: string;
  /**
   * The clock for due times, leases and aging. Default: the server's clock (Redis `TIME`), the
   * one clock every node shares; an injected clock is for tests.
   */
  clock?: Clock;
  /** Retention of finished jobs. */
  retention?: Partial<RetentionConfig>;
  /**
   * Job events kept in the shared stream, about (default 10,000, as BullMQ's event stream; 0: no
   * events). A store call's events go and come together.
   */
  events?: number;
  /** Aggregate metrics per queue, lane and function (default true). */
  metrics?: boolean;
}
