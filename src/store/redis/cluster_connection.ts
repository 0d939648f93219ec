/**
 * The store's connection to a Redis Cluster (a URL with `?cluster=1`): an ioredis `Cluster`
 * seeded with the URL's node, that behaves as `StoreConnection` does for one server: commands
 * queue only until it is first ready, then fail fast with a `StoreUnavailableError` while the
 * cluster cannot be reached, a NOPERM reply becomes a `StoreAccessError`, and "lost" /
 * "reconnected" are logged once per outage.
 *
 * Every key of a namespace carries the hash tag `{sluice:NS}`, so a namespace lives in one slot
 * of one shard and every script stays atomic there (see docs/scaling.md).
 *
 * @module
 */
import { Cluster } from "ioredis";
import { consoleLogger, type Logger } from "../../job/logger.ts";
import {
  ConnectionState,
  describeConnectionError,
  redactUrl,
  retryDelay,
  type StoreClientInfo,
  urlUser,
} from "./connection_state.ts";
import { parseStoreUrl } from "./store_url.ts";

/** Options of a cluster connection (as those of `StoreConnection`). */
export interface ClusterConnectionOptions {
  /** Where the connection logs (state changes); default the console. */
  logger?: Logger;
  /** Log "lost" and "reconnected" (default true). */
  reportState?: boolean;
}

/** An ioredis `Cluster` for the store. See the module doc. */
export class StoreCluster extends Cluster implements StoreClientInfo {
  /** The URL, password hidden, for messages. */
  readonly where: string;
  /** The ACL user of the URL. */
  readonly user: string;
  /** Where this connection logs. */
  readonly logger: Logger;
  #url: string;
  #state: ConnectionState;
  #nodeError: unknown = null;

  /** Connects to the cluster `url` seeds (in the background). */
  constructor(url: string, options: ClusterConnectionOptions = {}) {
    const parsed = parseStoreUrl(url);
    super([{ host: parsed.host, port: parsed.port }], {
      enableAutoPipelining: false,
      enableOfflineQueue: true,
      clusterRetryStrategy: retryDelay,
      redisOptions: {
        maxRetriesPerRequest: 0,
        enableAutoPipelining: false,
        ...(parsed.username ? { username: parsed.username } : {}),
        ...(parsed.password ? { password: parsed.password } : {}),
        ...(parsed.tls ? { tls: parsed.ca ? { ca: parsed.ca } : {} } : {}),
      },
    });
    this.#url = url;
    this.where = redactUrl(url);
    this.user = urlUser(url);
    this.logger = options.logger ?? consoleLogger;
    this.#state = new ConnectionState(
      this,
      this.where,
      this.logger,
      options.reportState ?? true,
      // from now on, fail fast while the cluster is down instead of queueing without bound
      () => this.options.enableOfflineQueue = false,
    );
    // the cluster's own error ("Failed to refresh slots cache") hides the node's reason
    this.on("node error", (error: unknown) => this.#nodeError = error);
    this.on("ready", () => this.#nodeError = null);
  }

  /** Why the latest connection attempt failed, in a few words; null before any failure. */
  get lastProblem(): string | null {
    const problem = this.#state.lastProblem;
    if (problem === null || this.#nodeError === null) return problem;
    return `${problem.replace(/\.$/, "")} (${describeConnectionError(this.#nodeError)})`;
  }

  /** True once the cluster was ready at least once. */
  get everReady(): boolean {
    return this.#state.everReady;
  }

  /** A second connection to the same cluster, with the same logger and no state lines. */
  twin(): StoreCluster {
    return new StoreCluster(this.#url, { logger: this.logger, reportState: false });
  }

  /** Marks a close as asked for (no "lost" line). */
  markClosing(): void {
    this.#state.markClosing();
  }

  /** Sends `command`, mapping its errors (unavailable, access refused). */
  override sendCommand(...args: Parameters<Cluster["sendCommand"]>): unknown {
    return this.#state.mapReply(super.sendCommand(...args) as Promise<unknown>, this.user);
  }
}
