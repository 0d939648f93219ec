/**
 * Opens a store from a URL: `memory://`, `redis://host:port/db` or `rediss://...`.
 *
 * @module
 */
import type { Clock } from "../job/clock.ts";
import { MemoryStore } from "./memory/memory_store.ts";
import { RedisStore } from "./redis/redis_store.ts";
import type { Store } from "./store.ts";

/** Options passed to the store a URL opens. */
export interface OpenStoreOptions {
  /** Namespace (Redis key prefix); ignored by the memory store. */
  namespace?: string;
  /** The store's clock. */
  clock?: Clock;
}

/** `url` with any password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@]*)@/, (_, auth: string) => `//${auth.split(":")[0]}:***@`);
}

/** Opens the store `url` names; throws a `TypeError` for other schemes. */
export function openStore(url: string, options: OpenStoreOptions = {}): Store {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new TypeError(
      `store: not a URL: ${JSON.stringify(redactUrl(url))} (use memory:// or redis://host:port)`,
    );
  }
  const clock = options.clock ? { clock: options.clock } : {};
  switch (scheme) {
    case "memory:":
      return new MemoryStore(clock);
    case "redis:":
    case "rediss:":
      return new RedisStore({
        url,
        ...clock,
        ...(options.namespace ? { namespace: options.namespace } : {}),
      });
    default:
      throw new TypeError(
        `store: unsupported scheme ${JSON.stringify(scheme)} in ${
          JSON.stringify(redactUrl(url))
        } ` +
          "(use memory://, redis:// or rediss://)",
      );
  }
}
