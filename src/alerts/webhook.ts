/**
 * The alerting webhook: an HTTP POST of a JSON event per dead job (or failed attempt), signed
 * with HMAC-SHA256 (`signature.ts`). Sending never blocks a worker: `send` queues the event and
 * returns; a bounded number of requests run in the background, failed ones are retried with
 * backoff; when the queue is full, new events are dropped, logged and counted.
 *
 * Headers: `Content-Type: application/json`, `X-Sluice-Event` (the type), `X-Sluice-Delivery`
 * (the event id, the same on every try), `X-Sluice-Timestamp` (event time, epoch ms; the body
 * carries it too, under the signature), `X-Sluice-Signature: sha256=<hex>` over the raw body.
 *
 * @module
 */
import type { Clock } from "../job/clock.ts";
import type { JobInfo } from "../job/job_info.ts";
import type { Logger } from "../job/logger.ts";
import { retryDelay } from "../schedule/retry_policy.ts";
import { hmacKey, SIGNATURE_HEADER, signBody } from "./signature.ts";
import {
  type AlertEventType,
  type ResolvedWebhookOptions,
  resolveWebhookOptions,
  type WebhookOptions,
} from "./webhook_options.ts";

/** The JSON body of a webhook request. */
export interface AlertEvent {
  /** Event id: the same on every delivery try, so receivers can deduplicate. */
  id: string;
  /** What happened. */
  type: AlertEventType;
  /** When it was sent first (epoch ms). */
  at: number;
  /** The job as stored (without its payload unless `includePayload`, never its result). */
  job: Omit<JobInfo, "payload" | "result"> & { payload?: unknown };
}

/** What the sender did so far. */
export interface WebhookStats {
  /** Events delivered (a 2xx answer). */
  delivered: number;
  /** Events given up after their last try, or refused by the receiver (a 4xx answer). */
  failed: number;
  /** Events not queued: the queue was full, or the sender closed. */
  dropped: number;
  /** Tries that failed and were scheduled again. */
  retried: number;
}

interface Delivery {
  event: AlertEvent;
  body: string;
  tries: number;
}

/** Sends alert events to one webhook; see the module doc. */
export class WebhookSender {
  #o: ResolvedWebhookOptions;
  #key: Promise<CryptoKey>;
  #clock: Clock;
  #logger: Logger;
  #queue: Delivery[] = [];
  #inFlight = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closing = new AbortController();
  #idle: (() => void)[] = [];
  #stats: WebhookStats = { delivered: 0, failed: 0, dropped: 0, retried: 0 };

  /** Checks `options` (throws on a bad one); sends nothing until `send`. */
  constructor(options: WebhookOptions, clock: Clock, logger: Logger) {
    this.#o = resolveWebhookOptions(options);
    this.#key = hmacKey(this.#o.secret);
    this.#key.catch(() => {}); // reported by the deliveries that need it
    this.#clock = clock;
    this.#logger = logger;
  }

  /** True when this webhook sends events of `type`. */
  wants(type: AlertEventType): boolean {
    return this.#o.events.has(type);
  }

  /** What the sender did so far. */
  get stats(): WebhookStats {
    return { ...this.#stats };
  }

  /** Queues an event about `job` (if this webhook wants `type`); returns at once. */
  send(type: AlertEventType, job: JobInfo): void {
    if (!this.wants(type)) return;
    if (this.#closing.signal.aborted || this.#queue.length >= this.#o.queueSize) {
      this.#stats.dropped++;
      this.#logger.warn("webhook event dropped: the queue is full or closed", {
        job: job.id,
        type,
        queued: this.#queue.length,
      });
      return;
    }
    const { payload, result: _result, ...rest } = job;
    const event: AlertEvent = {
      id: crypto.randomUUID(),
      type,
      at: this.#clock.now(),
      job: this.#o.includePayload ? { ...rest, payload } : rest,
    };
    this.#queue.push({ event, body: JSON.stringify(event), tries: 0 });
    this.#pump();
  }

  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Stops: aborts requests in flight and cancels retries; events not delivered yet are dropped
   * (counted, and logged once).
   */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return await this.idle();
    this.#closing.abort();
    const waiting = this.#queue.length + this.#timers.size;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#stats.dropped += waiting;
    this.#queue = [];
    await this.idle();
    if (waiting > 0) this.#logger.warn("webhook closed with events unsent", { dropped: waiting });
  }

  #pump(): void {
    while (this.#inFlight < this.#o.concurrency && this.#queue.length > 0) {
      void this.#deliver(this.#queue.shift()!);
    }
    if (this.#isIdle()) { for (const resolve of this.#idle.splice(0)) resolve(); }
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.#inFlight === 0 && this.#timers.size === 0;
  }

  async #deliver(delivery: Delivery): Promise<void> {
    this.#inFlight++;
    const failure = await this.#post(delivery);
    this.#inFlight--;
    if (failure === null) this.#stats.delivered++;
    else if (this.#closing.signal.aborted) this.#stats.dropped++;
    else this.#retryOrGiveUp(delivery, failure);
    this.#pump();
  }

  /** One try; null when the receiver took it. */
  async #post(delivery: Delivery): Promise<{ problem: string; permanent: boolean } | null> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#o.timeoutMs);
    try {
      const response = await this.#o.fetch(this.#o.url, {
        method: "POST",
        body: delivery.body,
        headers: await this.#headers(delivery),
        signal: AbortSignal.any([this.#closing.signal, timeout.signal]),
      });
      await response.body?.cancel();
      if (response.ok) return null;
      const { status } = response;
      // a 4xx other than 408 and 429 says the request itself is wrong: trying again cannot help
      return {
        problem: `HTTP ${status}`,
        permanent: status >= 400 && status < 500 && status !== 408 && status !== 429,
      };
    } catch (error) {
      const problem = timeout.signal.aborted
        ? `no answer in ${this.#o.timeoutMs} ms`
        : String(error);
      return { problem, permanent: false };
    } finally {
      clearTimeout(timer);
    }
  }

  async #headers(delivery: Delivery): Promise<Record<string, string>> {
    return {
      "Content-Type": "application/json",
      "User-Agent": "sluice-webhook",
      "X-Sluice-Event": delivery.event.type,
      "X-Sluice-Delivery": delivery.event.id,
      "X-Sluice-Timestamp": String(delivery.event.at),
      [SIGNATURE_HEADER]: await signBody(await this.#key, delivery.body),
    };
  }

  #retryOrGiveUp(delivery: Delivery, failure: { problem: string; permanent: boolean }): void {
    delivery.tries++;
    const fields = { event: delivery.event.id, job: delivery.event.job.id, ...failure };
    let delay: number | "stop" = "stop";
    if (!failure.permanent && delivery.tries < this.#o.attempts) {
      try {
        delay = retryDelay(this.#o.backoff, delivery.tries, failure.problem);
      } catch (error) {
        this.#logger.error("the webhook backoff failed", { ...fields, error: String(error) });
      }
    }
    if (delay === "stop") {
      this.#stats.failed++;
      this.#logger.error("webhook delivery failed; giving up", {
        ...fields,
        tries: delivery.tries,
      });
      return;
    }
    this.#stats.retried++;
    this.#logger.warn("webhook delivery failed; will retry", { ...fields, delayMs: delay });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#queue.unshift(delivery);
      this.#pump();
    }, delay);
    this.#timers.add(timer);
  }
}
