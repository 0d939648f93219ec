/**
 * What the handoff tests share (`redis_handoff_test.ts`, `redis_handoff_worker_test.ts`): a store
 * of its own namespace, one node's feed of handed jobs, and ways to watch a worker node's calls.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Reservation } from "../src/job/job.ts";
import { newJob, W } from "../src/store/_conformance.ts";
import { closeConnection, openConnection } from "../src/store/redis/connection.ts";
import { Keys } from "../src/store/redis/keys.ts";
import { dropNamespace, RedisStore } from "../src/store/redis/redis_store.ts";
import type { HandoffFeed, NewJob, ReserveRequest } from "../src/store/store.ts";

/** A store of its own namespace and one node's feed of handed jobs. */
export class Harness {
  readonly namespace = `test-${crypto.randomUUID()}`;
  readonly keys = new Keys(this.namespace);
  readonly store: RedisStore;
  readonly handed: Reservation[] = [];
  readonly errors: unknown[] = [];
  feed: HandoffFeed | null = null;
  /** With `watch`: the store's reserves so far, and the worker node's feed listener. */
  reserves = 0;
  deliver: ((jobs: Reservation[]) => void) | null = null;

  constructor(readonly url: string) {
    this.store = new RedisStore({ url, namespace: this.namespace });
  }

  /** Opens the node's feed and waits until Redis counts its subscription. */
  async listen(): Promise<void> {
    this.feed = this.store.handoffs(W.worker, W.queues, {
      onJobs: (jobs) => this.handed.push(...jobs),
      onError: (error) => this.errors.push(error),
    });
    await this.until(async () => await this.subscribers() > 0, "the feed subscribed");
  }

  /** How many connections listen on the channel of node `worker`. */
  async subscribers(worker: string = W.worker): Promise<number> {
    const redis = openConnection(this.url);
    try {
      const reply = await redis.pubsub("NUMSUB", this.keys.handoffs(worker)) as unknown[];
      return Number(reply[1]);
    } finally {
      await closeConnection(redis);
    }
  }

  /** A reserve of node W that finds `queue` empty and so registers it, with `count` free slots. */
  async goIdle(count: number, extra: Partial<ReserveRequest> = {}): Promise<void> {
    const leased = await this.store.reserve({
      ...W,
      count,
      onIdle: () => {},
      handoffMs: 30_000,
      ...extra,
    });
    assert.deepEqual(leased, [], "the queue was not empty");
  }

  /** Waits (at most 5 s) until `check` holds. */
  async until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
    for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`not within 5 s: ${what}`);
  }

  /**
   * Enqueues a job (of `overrides`) and checks that it waits in its lane, not handed: the feed
   * still holds `handed` jobs once what was published has had time to arrive.
   */
  async enqueueUnhanded(handed: number, overrides: Partial<NewJob> = {}): Promise<void> {
    const job = newJob(overrides);
    await this.store.enqueue([job]);
    assert.equal(await this.settled(), handed);
    assert.equal((await this.store.getJob(job.id))?.state, "waiting");
  }

  /** Gives messages already published time to arrive, then says how many jobs were handed. */
  async settled(): Promise<number> {
    await new Promise((r) => setTimeout(r, 100));
    return this.handed.length;
  }

  /**
   * Counts the store's reserves in `reserves`, calling `before` ahead of each, and keeps the
   * `onJobs` of the feed a worker node opens in `deliver`, for the worker-level cases.
   */
  watch(before: () => void = () => {}): void {
    const reserve = this.store.reserve.bind(this.store);
    this.store.reserve = (request) => {
      this.reserves++;
      before();
      return reserve(request);
    };
    const handoffs = this.store.handoffs.bind(this.store);
    this.store.handoffs = (worker, queues, listeners) => {
      this.deliver = listeners.onJobs;
      return handoffs(worker, queues, listeners);
    };
  }

  /** Leases `count` jobs of queue "elsewhere" to node `worker`, started, as a handoff would. */
  leaseElsewhere(worker: string, count: number): Promise<Reservation[]> {
    return this.store.reserve({ ...W, worker, queues: ["elsewhere"], count });
  }

  async close(): Promise<void> {
    await this.feed?.close();
    await dropNamespace(this.url, this.namespace);
    await this.store.close();
  }
}
