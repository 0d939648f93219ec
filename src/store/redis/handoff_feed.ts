/**
 * The Redis side of `Store.handoffs`: the node's channel, on the store's subscriber connection,
 * where an enqueue that found the node registered idle publishes the leases it made for it
 * (`lua/_handoff.lua`). Each message is `token base LF lease ms LF lease reply` (the reply as
 * `reserve` frames it). An enqueue hands off only to a node subscribed at that moment.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import type { Reservation } from "../../job/job.ts";
import type { HandoffFeed } from "../verbs.ts";
import type { RedisClient } from "./connection.ts";
import { decodeReservations } from "./record.ts";
import type { WakeHub } from "./wake.ts";

/** The longest `close` waits for Redis (to drop the registration, then to deliver what is sent). */
const CLOSE_WAIT_MS = 3_000;
const LF = 0x0a;

/** The keys of one node's handoffs. */
export interface HandoffKeys {
  /** The channel leases are published on. */
  channel: string;
  /** The node's registration (its standing request). */
  registration: string;
}

/** Receives the leases one node is handed; see the module doc. */
export class RedisHandoffFeed implements HandoffFeed {
  #redis: RedisClient;
  #wake: WakeHub;
  #registration: string;
  #off: () => void;
  #closed = false;

  /** Passes the leases published on `keys.channel` to `onJobs` (a malformed one to `onError`). */
  constructor(
    redis: RedisClient,
    wake: WakeHub,
    keys: HandoffKeys,
    onJobs: (jobs: Reservation[]) => void,
    onError: (error: unknown) => void,
  ) {
    this.#redis = redis;
    this.#wake = wake;
    this.#registration = keys.registration;
    this.#off = wake.listenBytes(keys.channel, (message) => {
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
   * delivered, and stops listening. Bounded in time: a lease published to a Redis that stopped
   * answering meanwhile expires, and its job is reclaimed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await withTimeout(this.#redis.del(this.#registration));
      await withTimeout(this.#wake.settle());
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

/** `promise`, or a rejection after `CLOSE_WAIT_MS`. */
function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), CLOSE_WAIT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
