/**
 * A node's presence in the store: registration with its metadata, heartbeats every few seconds
 * (with its busy slots), re-registration when it was declared dead, deregistration on stop.
 *
 * @module
 */
import type { Logger } from "../job/logger.ts";
import type { HeartbeatInfo, NodeInfo } from "../store/cluster.ts";
import type { Store } from "../store/store.ts";

/** How a node is doing, as it knows itself (`WorkerHandle.status()`). */
export interface NodeStatus {
  /** The node id. */
  id: string;
  /** False once it was asked to stop. */
  running: boolean;
  /** Job slots. */
  concurrency: number;
  /** Busy slots now. */
  busy: number;
  /** Jobs leased ahead, not started. */
  prefetched: number;
  /** Attempts completed since it started. */
  completed: number;
  /** Attempts failed since it started. */
  failed: number;
  /** True while it holds the leader lease. */
  leader: boolean;
  /** When its latest heartbeat (or registration) was stored (epoch ms), or null before. */
  heartbeatAt: number | null;
  /** How long a heartbeat keeps it alive (ms): older than this, the cluster counts it dead. */
  ttlMs: number;
}

/** Keeps one node's record alive. */
export class NodePresence {
  #store: Store;
  #info: NodeInfo;
  #ttlMs: number;
  #everyMs: number;
  #busy: () => HeartbeatInfo;
  #logger: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  #beat: Promise<void> = Promise.resolve();
  #beatAt: number | null = null;

  /** Heartbeats `info`'s record every `everyMs`, each keeping it alive `ttlMs`. */
  constructor(
    store: Store,
    info: NodeInfo,
    timing: { everyMs: number; ttlMs: number },
    busy: () => HeartbeatInfo,
    logger: Logger,
  ) {
    this.#store = store;
    this.#info = info;
    this.#everyMs = timing.everyMs;
    this.#ttlMs = timing.ttlMs;
    this.#busy = busy;
    this.#logger = logger;
  }

  /** Registers the node and starts heartbeats. */
  async start(): Promise<void> {
    await this.#store.registerNode(this.#info, this.#ttlMs);
    this.#beatAt = Date.now();
    this.#timer = setInterval(() => {
      this.#beat = this.#heartbeat();
    }, this.#everyMs);
  }

  /** The node's record as this process knows it: `NodeStatus` but for what the node adds. */
  status(): Omit<NodeStatus, "running" | "prefetched" | "leader"> {
    return {
      id: this.#info.id,
      concurrency: this.#info.concurrency,
      completed: 0,
      failed: 0,
      ...this.#busy(),
      heartbeatAt: this.#beatAt,
      ttlMs: this.#ttlMs,
    };
  }

  /** Stops heartbeats and removes the record. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beat;
    await this.#store.deregisterNode(this.#info.id).catch((error) =>
      this.#logger.warn("could not deregister node", { node: this.#info.id, error: String(error) })
    );
  }

  async #heartbeat(): Promise<void> {
    try {
      const alive = await this.#store.heartbeat(this.#info.id, this.#busy(), this.#ttlMs);
      if (!alive) {
        // Declared dead (e.g. paused past its lifetime): its jobs were reclaimed; their leases
        // will report lost. Come back as a live node.
        this.#logger.warn("node record was reaped; registering again", { node: this.#info.id });
        await this.#store.registerNode(this.#info, this.#ttlMs);
      }
      this.#beatAt = Date.now();
    } catch (error) {
      this.#logger.warn("heartbeat failed", { node: this.#info.id, error: String(error) });
    }
  }
}
