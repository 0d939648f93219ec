/**
 * Options of the alerting webhook, their defaults and their checks.
 *
 * @module
 */
import type { Backoff } from "../job/backoff.ts";
import { checkBackoff } from "../job/retry_options.ts";

/** Events the webhook can send. */
export type AlertEventType = "job.dead" | "job.failed";

/** The `webhook` option of `createEngine`. */
export interface WebhookOptions {
  /** Receiver URL (`http:` or `https:`). */
  url: string;
  /** Shared secret of the `X-Sluice-Signature` HMAC. */
  secret: string;
  /** Events to send (default `["job.dead"]`; `"job.failed"` sends every failed attempt). */
  events?: readonly AlertEventType[];
  /** Deliveries tried per event (default 5). */
  attempts?: number;
  /** Delay between tries (default exponential from 1 s, full jitter, at most 60 s). */
  backoff?: Backoff;
  /** Time one request may take (ms, default 10,000). */
  timeoutMs?: number;
  /** Events waiting to be sent at most; more are dropped, logged and counted (default 1,000). */
  queueSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Send the job's decoded payload too (default false: payloads may hold personal data). */
  includePayload?: boolean;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

/** Webhook options with defaults filled in. */
export type ResolvedWebhookOptions = Required<Omit<WebhookOptions, "events">> & {
  /** Events to send. */
  events: ReadonlySet<AlertEventType>;
};

const EVENTS: readonly AlertEventType[] = ["job.dead", "job.failed"];

/** Checks `options`; throws a `TypeError` or `RangeError` naming the bad one. */
export function resolveWebhookOptions(options: WebhookOptions): ResolvedWebhookOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("webhook: options must be { url, secret, ... }");
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError(`webhook: url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`webhook: url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  if (typeof options.secret !== "string" || options.secret.length === 0) {
    throw new TypeError("webhook: secret must be a non-empty string");
  }
  const events = options.events ?? ["job.dead"];
  for (const event of events) {
    if (!EVENTS.includes(event)) {
      throw new TypeError(`webhook: unknown event ${JSON.stringify(event)} (known: ${EVENTS})`);
    }
  }
  const whole = (name: keyof WebhookOptions, fallback: number, min: number): number => {
    const value = options[name] ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) < min) {
      throw new RangeError(`webhook: ${name} must be a whole number >= ${min}, got ${value}`);
    }
    return value as number;
  };
  return {
    url: url.href,
    secret: options.secret,
    events: new Set(events),
    attempts: whole("attempts", 5, 1),
    backoff: checkBackoff(
      options.backoff ?? { type: "exponential", base: 1_000, max: 60_000, jitter: "full" },
      "webhook",
    ),
    timeoutMs: whole("timeoutMs", 10_000, 1),
    queueSize: whole("queueSize", 1_000, 1),
    concurrency: whole("concurrency", 4, 1),
    includePayload: options.includePayload === true,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  };
}
