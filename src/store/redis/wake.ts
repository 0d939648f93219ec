/**
 * Wake-ups for `waitForWork`: one subscriber connection per store, opened on first use, that
 * subscribes to the wake channels of the queues waited on (and stays subscribed: channels are
 * few). Scripts that make work available publish on those channels.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { closeConnection, type RedisClient } from "./connection.ts";
import { Waiters } from "../_waiters.ts";

/** Waiters on wake channels, served by one lazily opened subscriber connection. */
export class WakeHub {
  #open: () => RedisClient;
  #sub: RedisClient | null = null;
  #subscribed = new Set<string>();
  #waiters = new Waiters();
  #listeners = new Map<string, Set<(message: string) => void>>();
  #byteListeners = new Map<string, (message: Buffer) => void>();
  #closed = false;

  /** `open` creates the subscriber connection when it is first needed. */
  constructor(open: () => RedisClient) {
    this.#open = open;
  }

  /**
   * Resolves on a message on one of `channels`, after `timeoutMs`, when `signal` aborts, or when
   * the hub closes.
   */
  wait(channels: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted) return Promise.resolve();
    const waiting = this.#waiters.wait(channels, timeoutMs, signal);
    this.#subscribe(channels);
    return waiting;
  }

  /** Calls `listener` with every message on `channel` until the returned function is called. */
  listen(channel: string, listener: (message: string) => void): () => void {
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, set = new Set());
    set.add(listener);
    this.#subscribe([channel]);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(channel);
    };
  }

  /**
   * Calls `listener` with every message on `channel`, as bytes, until the returned function is
   * called, which also unsubscribes the channel; one such listener a channel (a later one
   * replaces it), on a channel of its own (no `wait` or `listen` on it).
   */
  listenBytes(channel: string, listener: (message: Buffer) => void): () => void {
    this.#byteListeners.set(channel, listener);
    this.#subscribe([channel]);
    return () => {
      if (this.#byteListeners.get(channel) !== listener) return;
      this.#byteListeners.delete(channel);
      this.#subscribed.delete(channel);
      this.#sub?.unsubscribe(channel).catch(() => {}); // a closed connection holds nothing
    };
  }

  /**
   * Resolves once every message published before this call has been delivered (a PING on the
   * subscriber connection answers after them); at once when there is no such connection.
   */
  async settle(): Promise<void> {
    if (this.#sub) await this.#sub.ping();
  }

  /** Wakes every waiter and closes the subscriber connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiters.wakeAll();
    const sub = this.#sub;
    this.#sub = null;
    if (sub) await closeConnection(sub);
  }

  #subscribe(channels: readonly string[]): void {
    const fresh = channels.filter((c) => !this.#subscribed.has(c));
    if (fresh.length === 0) return;
    for (const c of fresh) this.#subscribed.add(c);
    const sub = this.#connection();
    // A failed subscription is retried by the next wait; until then waiters time out as usual.
    sub.subscribe(...fresh).catch(() => {
      for (const c of fresh) this.#subscribed.delete(c);
    });
  }

  #connection(): RedisClient {
    if (this.#sub) return this.#sub;
    const sub = this.#open(); // ioredis reconnects and resubscribes by itself
    sub.on("message", (channel: string, message: string) => this.#deliver(channel, message));
    sub.on("messageBuffer", (channel: Buffer, message: Buffer) => {
      if (this.#byteListeners.size === 0) return;
      this.#byteListeners.get(channel.toString())?.(message);
    });
    this.#sub = sub;
    return sub;
  }

  #deliver(channel: string, message: string): void {
    this.#waiters.wake([channel]);
    for (const listener of this.#listeners.get(channel) ?? []) listener(message);
  }
}
