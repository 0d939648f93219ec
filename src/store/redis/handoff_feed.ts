/**
 * The Redis side of `Store.handoffs`: the node's channel, on the store's subscriber connection,
 * where an enqueue that found the node registered idle publishes the leases it made for it
 * (`lua/_handoff.lua`). Each message is `token base LF lease ms LF lease reply` (the reply as
 * `reserve` frames it). An enqueue hands off only to a node subscribed at that moment.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { within } from "../../job/clock.ts";
import type { Reservation } from "../../job/job.ts";
import type { HandoffFeed, HandoffListeners } from "../verbs.ts";
import type { RedisClient } from "./connection.ts";
import { decodeReservations } from "./record.ts";
import type { Keys } from "./keys.ts";
import type { WakeHub } from "./wake.ts";

/** The longest `close` waits for Redis (to drop the registration, then to deliver what is sent). */
const CLOSE_WAIT_MS = 3_000;
const LF = 0x0a;

/** Where one node's handoffs come from. */
export interface HandoffSource {
  /** The store's command connection (a Cluster client gets no feed). */
  redis: RedisClient;
  /** The store's subscriber connection. */
  wake: WakeHub;
  /** The store's key layout. */
  keys: Keys;
  /** The node. */
  worker: string;
  /** The queues it serves. */
  queues: readonly string[];
}

/**
 * The most queues a node may serve and be handed jobs (HANDOFF_MAX_QUEUES in `_handoff.lua`: a
 * registration costs a write per queue at every idle reserve).
 */
export const HANDOFF_MAX_QUEUES = 8;

/**
 * The feed of `source.worker`'s handoffs, or null where none would come: on a Redis Cluster (a
 * shard counts only its own subscribers, PUBSUB NUMSUB), or for a node serving more than
 * `HANDOFF_MAX_QUEUES` queues (its reserves do not register it).
 */
export function openHandoffFeed(
  source: HandoffSource,
  listeners: HandoffListeners,
): RedisHandoffFeed | null {
  if ("nodes" in source.redis || new Set(source.queues).size > HANDOFF_MAX_QUEUES) return null;
  return new RedisHandoffFeed(source, listeners);
}

/** Receives the leases one node is handed; see the module doc. */
export class RedisHandoffFeed implements HandoffFeed {
  #redis: RedisClient;
  #wake: WakeHub;
  #registration: string;
  #off: () => void;
  #closed = false;

  /** Passes the leases published on the node's channel to `onJobs` (a malformed one to `onError`). */
  constructor({ redis, wake, keys, worker }: HandoffSource, { onJobs, onError }: HandoffListeners) {
    this.#redis = redis;
    this.#wake = wake;
    this.#registration = keys.handoffRegistration(worker);
    this.#off = wake.listenBytes(keys.handoffs(worker), (message) => {
      let jobs: Reservation[];
      try {
        jobs = decodeHandoff(message);
      } catch (error) {
        onError(error);
        return;
      }
      onJobs(jobs);
    });
  }

  /**
   * Drops the node's registration, then waits until what was published before that has been
   * delivered, and unsubscribes (from then on no enqueue hands the node jobs, registered or
   * not). Bounded in time: a lease published to a Redis that stopped answering meanwhile
   * expires, and its job is reclaimed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await within(this.#redis.del(this.#registration), CLOSE_WAIT_MS);
      await within(this.#wake.settle(), CLOSE_WAIT_MS);
    } catch {
      // Redis is away or slow: nothing more is delivered here
    }
    this.#off();
  }
}

/** The leases of one published message. */
function decodeHandoff(message: Buffer): Reservation[] {
  const first = message.indexOf(LF);
  const second = message.indexOf(LF, first + 1);
  if (first < 0 || second < 0) throw new Error("RedisStore: malformed handoff");
  const tokenBase = message.toString("latin1", 0, first);
  const leaseMs = Number(message.toString("latin1", first + 1, second));
  return decodeReservations(message.subarray(second + 1), { tokenBase, leaseMs });
}
