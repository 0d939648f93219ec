/**
 * Gateway test harness: an engine on a given store with a few functions, a gateway with both
 * tokens, fixture jobs (one waiting, two dead), and a request helper for `app.request()`.
 *
 * @module
 */
import { z } from "zod";
import { createEngine, define, type Engine, type Store } from "../mod.ts";
import { createGateway, type Gateway, type GatewayOptions } from "../gateway.ts";
import { silentLogger } from "../src/job/logger.ts";

/** The tokens of harness gateways. */
export const TOKENS = { admin: "admin-token-0123456789", read: "read-token-0123456789" } as const;

/** Adds two numbers (queue `math`). */
export const Add = define(
  { name: "add", payload: z.object({ a: z.number(), b: z.number() }), queue: "math" },
  ({ a, b }) => ({ sum: a + b }),
);

/** Fails every time, once: it goes straight to the dead-letter queue (queue `doom`). */
export const Boom = define(
  { name: "boom", payload: z.object({ n: z.number() }), queue: "doom", attempts: 1 },
  () => {
    throw new Error("always fails");
  },
);

/** Listens to `user.created` (queue `math`). */
export const Greet = define(
  { name: "greet", payload: z.object({ to: z.string() }), queue: "math", on: ["user.created"] },
  ({ to }) => `hello ${to}`,
);

/** A gateway over an engine with fixture jobs. */
export interface Harness {
  /** The engine. */
  engine: Engine;
  /** The store. */
  store: Store;
  /** The gateway. */
  gateway: Gateway;
  /** A waiting `add` job. */
  waiting: string;
  /** Two dead `boom` jobs. */
  dead: [string, string];
  /** A schedule of `add` (09:00 New York time), never fired (no worker runs). */
  schedule: string;
  /** Calls the app; `token` is sent as a bearer token when given; `body` as JSON. */
  request(
    method: string,
    path: string,
    init?: { token?: string; body?: unknown },
  ): Promise<Response>;
  /** Closes gateway and engine (and the store). */
  close(): Promise<void>;
}

/** Leases the waiting jobs of `queue` and fails them for good, as a worker would. */
export async function killJobs(store: Store, queue: string, count: number): Promise<void> {
  const leased = await store.reserve({ worker: "test", queues: [queue], count, leaseMs: 60_000 });
  await store.fail(leased.map((job) => ({
    id: job.id,
    token: job.token,
    error: JSON.stringify({ name: "Error", message: "always fails" }),
    retryDelay: null,
  })));
}

/** A harness on `store`. */
export async function harness(store: Store, options: GatewayOptions = {}): Promise<Harness> {
  const engine = createEngine({ store, logger: silentLogger, functions: [Add, Boom, Greet] });
  const gateway = createGateway(engine, { tokens: TOKENS, logger: silentLogger, ...options });
  const waiting = await engine.enqueue(Add, { a: 1, b: 2 });
  const dead = await engine.enqueueBulk([
    { job: Boom, payload: { n: 1 } },
    { job: Boom, payload: { n: 2 } },
  ]);
  await killJobs(store, "doom", 2);
  const schedule = "nightly-add";
  await engine.schedules.set(schedule, {
    job: Add,
    pattern: "0 9 * * *",
    tz: "America/New_York",
    payload: { a: 1, b: 1 },
  });
  return {
    engine,
    store,
    gateway,
    waiting,
    dead: [dead[0]!, dead[1]!],
    schedule,
    request: (method, path, init = {}) => {
      const headers: Record<string, string> = {};
      if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers["content-type"] = "application/json";
      return Promise.resolve(gateway.app.request(path, {
        method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      }));
    },
    close: async () => {
      gateway.close();
      await engine.close();
      await store.close();
    },
  };
}
