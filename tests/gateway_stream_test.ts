/**
 * `/v1/stream` over the store's shared event stream: a gateway that runs no worker streams the
 * jobs another process runs; a client resumes on another gateway from an id the first one gave,
 * through more events than one page or one client buffer, with no gap and no repeat while new
 * events keep coming; an id the store no longer holds starts with `reset`.
 */
import assert from "node:assert/strict";
import { createEngine, type Engine, type Store } from "../mod.ts";
import { MemoryStore } from "../store.ts";
import type { EventBatch, EventQuery } from "../src/store/observations.ts";
import { createGateway, type Gateway } from "../gateway.ts";
import { silentLogger } from "../src/job/logger.ts";
import { Add, TOKENS } from "./_gateway_harness.ts";
import { SseReader } from "./_sse_reader.ts";

/** A gateway (no worker) over its own engine on `store`. */
function gatewayOn(store: Store): { engine: Engine; gateway: Gateway; close(): Promise<void> } {
  const engine = createEngine({ store, logger: silentLogger, functions: [Add] });
  const gateway = createGateway(engine, { tokens: TOKENS, logger: silentLogger });
  return {
    engine,
    gateway,
    close: async () => {
      gateway.close();
      await engine.close();
    },
  };
}

async function stream(gateway: Gateway, query: string, lastId?: string): Promise<SseReader> {
  const res = await gateway.app.request(`/v1/stream${query}`, {
    headers: {
      authorization: `Bearer ${TOKENS.read}`,
      ...(lastId ? { "last-event-id": lastId } : {}),
    },
  });
  assert.equal(res.status, 200);
  return new SseReader(res);
}

/** A memory store whose page reads (`after`, no wait) can be held at a gate. */
class GatedStore extends MemoryStore {
  gate: PromiseWithResolvers<void> | null = null;
  reached = Promise.withResolvers<void>();

  override async readEvents(query: EventQuery = {}): Promise<EventBatch> {
    if (this.gate && query.after !== undefined && !query.waitMs) {
      this.reached.resolve();
      await this.gate.promise;
    }
    return await super.readEvents(query);
  }
}

const ids = (reader: SseReader, event: string): string[] =>
  reader.of(event).map((m) => (m.data as { id: string }).id);

Deno.test("stream: a gateway running no worker streams the jobs another process runs", async () => {
  const store = new MemoryStore();
  const front = gatewayOn(store);
  const back = createEngine({ store, logger: silentLogger, functions: [Add] });
  const worker = back.work({ concurrency: 2 });
  const events = await stream(front.gateway, "?types=active,completed");
  try {
    await events.until((m) => m.some((x) => x.event === "ready"));
    const jobs = await front.engine.enqueueBulk(
      Array.from({ length: 3 }, (_, i) => ({ job: Add, payload: { a: i, b: 1 } })),
    );
    await events.until(() => ids(events, "completed").length === 3);
    assert.deepEqual(ids(events, "completed").sort(), [...jobs].sort());
    for (const active of events.of("active")) {
      assert.equal((active.data as { worker: string }).worker, worker.id);
    }
    assert.ok(events.of("completed").every((m) => /^\d+-\d+\/\d+$/.test(m.id!)), "stored ids");
  } finally {
    await events.close();
    await worker.stop();
    await back.close();
    await front.close();
  }
});

Deno.test("stream: resume on another gateway, past a page and a buffer, no gap, no repeat", async () => {
  const store = new GatedStore();
  const first = gatewayOn(store);
  const seen = await stream(first.gateway, "?types=enqueued");
  await seen.until((m) => m.some((x) => x.event === "ready"));
  await first.engine.enqueue(Add, { a: 0, b: 0 });
  await seen.until(() => seen.of("enqueued").length === 1);
  const lastId = seen.of("enqueued")[0]!.id!;
  await seen.close();
  await first.close(); // the client's gateway is gone; the store keeps the events

  const producer = createEngine({ store, logger: silentLogger, functions: [Add] });
  const second = gatewayOn(store);
  try {
    const backlog = await producer.enqueueBulk(
      Array.from({ length: 1_200 }, (_, i) => ({ job: Add, payload: { a: i, b: 0 } })),
    );
    store.gate = Promise.withResolvers();
    const resumed = await stream(second.gateway, "?types=enqueued", lastId);
    await store.reached.promise; // listening live, about to read the backlog
    // new jobs come while the resume reads the backlog: the live ones, not read twice
    const later: string[] = [];
    for (let i = 0; i < 40; i++) later.push(await producer.enqueue(Add, { a: i, b: 1 }));
    store.gate.resolve();
    await resumed.until(() => ids(resumed, "enqueued").includes(later.at(-1)!));
    const marker = await producer.enqueue(Add, { a: -1, b: 0 }); // anything repeated comes first
    const expected = [...backlog, ...later, marker];
    await resumed.until(() => ids(resumed, "enqueued").includes(marker));
    await resumed.close();
    assert.equal(resumed.of("reset").length, 0);
    assert.equal(resumed.messages[0]!.event, "ready");
    const got = ids(resumed, "enqueued");
    assert.equal(got.length, expected.length, "no repeats");
    assert.deepEqual(got, expected, "every event, in order");
  } finally {
    await producer.close();
    await second.close();
  }
});

Deno.test("stream: an id the store no longer holds starts with reset, then goes on live", async () => {
  const store = new MemoryStore({ events: 5 });
  const g = gatewayOn(store);
  try {
    const first = await stream(g.gateway, "?types=enqueued");
    await first.until((m) => m.some((x) => x.event === "ready"));
    await g.engine.enqueue(Add, { a: 0, b: 0 });
    await first.until(() => first.of("enqueued").length === 1);
    await first.close();
    for (let i = 1; i <= 10; i++) await g.engine.enqueue(Add, { a: i, b: 0 }); // 10 entries
    const resumed = await stream(g.gateway, "?types=enqueued", first.of("enqueued")[0]!.id!);
    await resumed.until((m) => m.some((x) => x.event === "ready"));
    assert.deepEqual(resumed.messages.map((m) => m.event), ["reset", "ready"]);
    const live = await g.engine.enqueue(Add, { a: 99, b: 0 });
    await resumed.until(() => resumed.of("enqueued").length === 1);
    assert.deepEqual(ids(resumed, "enqueued"), [live]);
    await resumed.close();
  } finally {
    await g.close();
    await store.close();
  }
});
