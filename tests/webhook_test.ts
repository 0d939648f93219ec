import assert from "node:assert/strict";
import { fixed, type JobInfo, silentLogger, verifyWebhookSignature } from "../mod.ts";
import { ManualClock } from "../testing.ts";
import { WebhookSender } from "../src/alerts/webhook.ts";

const job = { id: "j1", name: "f", payload: { secret: 1 }, result: null } as unknown as JobInfo;

/** A fake `fetch` answering with `statuses` in turn (the last one repeats), recording requests. */
function receiver(...statuses: number[]) {
  const requests: { headers: Headers; body: string }[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requests.push({ headers: new Headers(init!.headers), body: String(init!.body) });
    const status = statuses[Math.min(requests.length, statuses.length) - 1]!;
    return await Promise.resolve(new Response(null, { status }));
  };
  return { requests, fetch: fetch as typeof globalThis.fetch };
}

const sender = (fetch: typeof globalThis.fetch, extra: object = {}) =>
  new WebhookSender(
    { url: "http://hooks.test/x", secret: "k", fetch, backoff: fixed(1), ...extra },
    new ManualClock(),
    silentLogger,
  );

Deno.test("webhook: a failed try is retried with the same body and delivery id", async () => {
  const { requests, fetch } = receiver(503, 500, 200);
  const s = sender(fetch);
  s.send("job.dead", job);
  await s.idle();
  assert.equal(requests.length, 3);
  assert.equal(new Set(requests.map((r) => r.body)).size, 1);
  assert.equal(new Set(requests.map((r) => r.headers.get("x-sluice-delivery"))).size, 1);
  const { headers, body } = requests[2]!;
  assert.ok(await verifyWebhookSignature("k", body, headers.get("x-sluice-signature")));
  assert.equal(JSON.parse(body).job.payload, undefined);
  assert.deepEqual(s.stats, { delivered: 1, failed: 0, dropped: 0, retried: 2 });
  await s.close();
});

Deno.test("webhook: a 4xx answer is final; tries stop at attempts", async () => {
  const refused = receiver(400);
  const a = sender(refused.fetch);
  a.send("job.dead", job);
  await a.idle();
  assert.equal(refused.requests.length, 1);
  assert.equal(a.stats.failed, 1);
  const down = receiver(503);
  const b = sender(down.fetch, { attempts: 3 });
  b.send("job.dead", job);
  await b.idle();
  assert.equal(down.requests.length, 3);
  assert.deepEqual(b.stats, { delivered: 0, failed: 1, dropped: 0, retried: 2 });
});

Deno.test("webhook: send never waits; a full queue drops and counts", async () => {
  const hang = Promise.withResolvers<Response>();
  let calls = 0;
  const fetch = ((_: unknown, init?: RequestInit) => {
    calls++;
    const signal = init!.signal!;
    if (signal.aborted) return Promise.reject(signal.reason); // as the real fetch does
    signal.addEventListener("abort", () => hang.reject(new Error("aborted")));
    return hang.promise;
  }) as typeof globalThis.fetch;
  const s = sender(fetch, { concurrency: 1, queueSize: 2, includePayload: true });
  for (let i = 0; i < 5; i++) s.send("job.dead", job); // returns at once though nothing answers
  assert.equal(s.stats.dropped, 2);
  s.send("job.failed", job); // not subscribed: ignored, not counted
  assert.equal(s.stats.dropped, 2);
  await s.close();
  assert.equal(calls, 1);
  assert.equal(s.stats.dropped, 5, "the two queued and the one in flight are dropped on close");
});

Deno.test("webhook: options are checked", () => {
  const { fetch } = receiver(200);
  assert.throws(() => sender(fetch, { url: "ftp://x" }), /url must be an http\(s\) URL/);
  assert.throws(() => sender(fetch, { secret: "" }), /secret must be a non-empty string/);
  assert.throws(() => sender(fetch, { events: ["job.gone"] }), /unknown event/);
  assert.throws(() => sender(fetch, { attempts: 0 }), /attempts must be a whole number >= 1/);
});
