/**
 * Store-side records of the cluster: worker nodes (registration, heartbeats) and the leader
 * lease with its fencing epoch. The verbs that use them are part of `Store` (`store.ts`).
 *
 * Time: node expiry and the leader lease use the store clock's `now`, like every other store
 * decision (the Redis store passes it into its scripts). Node clocks are expected to be
 * NTP-synchronized; skew can only delay a failover or start one early, and an early takeover is
 * made harmless by the fencing epoch: every leader-only write checks token and epoch.
 *
 * @module
 */

/** What a node says about itself when it registers. */
export interface NodeInfo {
  /** Unique per process start (not the hostname). */
  id: string;
  /** Host name. */
  host: string;
  /** Process id. */
  pid: number;
  /** Queues it serves. */
  queues: string[];
  /** Job slots. */
  concurrency: number;
  /** Sluice version it runs. */
  version: string;
  /** When the process started (epoch ms). */
  startedAt: number;
}

/** A node as the store keeps it. */
export interface NodeRecord extends NodeInfo {
  /** Latest heartbeat (epoch ms). */
  heartbeatAt: number;
  /** When the node counts as dead unless it heartbeats again (epoch ms). */
  expiresAt: number;
  /** Busy slots at the latest heartbeat. */
  busy: number;
  /** Attempts it completed since it started, as of the latest heartbeat. */
  completed: number;
  /** Attempts that failed on it since it started, as of the latest heartbeat. */
  failed: number;
  /** Jobs it holds leased but not started (prefetched), now. */
  prefetched: number;
}

/** What changes with each heartbeat. */
export interface HeartbeatInfo {
  /** Busy slots now. */
  busy: number;
  /** Attempts completed since the node started (default: unchanged). */
  completed?: number;
  /** Attempts failed since the node started (default: unchanged). */
  failed?: number;
}

/** The leader lease as held by a node. */
export interface LeaderLease {
  /** The node holding it. */
  node: string;
  /** Random token of this holding (a new one per acquisition). */
  token: string;
  /** Fencing epoch: grows by one with every acquisition, never reused. */
  epoch: number;
  /** When it lapses unless renewed (epoch ms, store clock). */
  expiresAt: number;
}

/** The current leader as anyone can read it. */
export interface LeaderInfo {
  /** Node id. */
  node: string;
  /** Fencing epoch. */
  epoch: number;
  /** Lapse time (epoch ms). */
  expiresAt: number;
}

/** What reaping dead nodes did. */
export interface ReapOutcome {
  /** Nodes found dead and removed. */
  nodes: string[];
  /** Their active jobs put back into their lanes (stall counted). */
  requeued: string[];
  /** Their active jobs whose attempt was the last: dead-lettered (or cancelled on request). */
  dead: string[];
}
