/**
 * Reads a Redis store URL: `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS),
 * with Sluice's own query parameters taken out before ioredis sees the URL:
 *
 * - `cluster=1` (or `true`/`yes`): the host is a seed node of a Redis Cluster; the store opens
 *   an ioredis `Cluster` that finds the other nodes itself.
 * - `tls_ca=/path/ca.pem`: trust this CA (PEM file) for `rediss://`, instead of only the
 *   system's roots.
 *
 * @module
 */

/** What a store URL asks for. */
export interface StoreUrl {
  /** The URL ioredis gets (Sluice's parameters removed). */
  url: string;
  /** True when the URL names a Redis Cluster (`?cluster=1`). */
  cluster: boolean;
  /** True for `rediss://`. */
  tls: boolean;
  /** The CA certificates to trust (PEM text of `tls_ca`), when given. */
  ca: string | undefined;
  /** Host of the (seed) node. */
  host: string;
  /** Port of the (seed) node. */
  port: number;
  /** ACL user name, when given. */
  username: string | undefined;
  /** Password, when given. */
  password: string | undefined;
}

const YES = new Set(["1", "true", "yes"]);

/** Parses `url` (see the module doc); throws a `TypeError` naming a bad parameter. */
export function parseStoreUrl(url: string): StoreUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // not a full URL (e.g. "6379" or "host:port"): ioredis reads it as it is
    return {
      url,
      cluster: false,
      tls: false,
      ca: undefined,
      host: "127.0.0.1",
      port: 6379,
      username: undefined,
      password: undefined,
    };
  }
  const cluster = parsed.searchParams.get("cluster");
  const caPath = parsed.searchParams.get("tls_ca");
  if (cluster !== null && !YES.has(cluster) && cluster !== "0" && cluster !== "false") {
    throw new TypeError(`store: cluster=${cluster} in the Redis URL: use cluster=1`);
  }
  parsed.searchParams.delete("cluster");
  parsed.searchParams.delete("tls_ca");
  const tls = parsed.protocol === "rediss:";
  if (caPath !== null && !tls) {
    throw new TypeError("store: tls_ca is given but the URL is not rediss://");
  }
  return {
    url: parsed.toString(),
    cluster: cluster !== null && YES.has(cluster),
    tls,
    ca: caPath === null ? undefined : Deno.readTextFileSync(caPath),
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}
