/**
 * The gateway under fuzz: the test harness (fixture jobs, a schedule, both tokens) on a store,
 * served over real HTTP on a free loopback port, with what the fuzz checks around it: a
 * fingerprint of everything stored, `/healthz`, and the values requests draw from to reach the
 * handlers.
 *
 * @module
 */
import { z } from "zod";
import { define } from "../../mod.ts";
import type { Store } from "../../store.ts";
import { serveGateway } from "../../gateway.ts";
import { Boom, type Harness, harness, killJobs } from "../_gateway_harness.ts";
import type { FuzzRequest } from "./requests.ts";
import type { Hints } from "./schema_arb.ts";

/** A served harness. */
export interface Target {
  /** The harness (engine, gateway, fixture ids). */
  h: Harness;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Stops the server and closes the harness. */
  close(): Promise<void>;
}

/** Takes any JSON payload (queue `echo`), so hostile payloads reach the codec and the store. */
export const Echo = define(
  { name: "echo", payload: z.unknown(), queue: "echo" },
  (payload) => payload,
);

/**
 * Serves a harness on `store`, with `Echo` registered too; `open`: a gateway without tokens
 * (loopback names only, state changes from its own origin only).
 */
export async function serveTarget(store: Store, open = false): Promise<Target> {
  const h = await harness(store, open ? { tokens: {}, open: true } : {});
  h.engine.register(Echo);
  const abort = new AbortController();
  let base = "";
  const server = serveGateway(h.gateway, {
    port: 0,
    hostname: "127.0.0.1",
    signal: abort.signal,
    onListen: (url) => base = url.replace(/\/$/, ""),
  });
  await new Promise((r) => setTimeout(r, 0));
  if (!base) base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  return {
    h,
    base,
    close: async () => {
      abort.abort();
      await server.finished;
      await h.close();
    },
  };
}

/**
 * Puts the fixtures back between operations: the schedule (a fuzzed DELETE may have removed it)
 * and two dead jobs (a purge may have), whose ids join the `id` hints.
 */
export async function restock(h: Harness, hints: Hints): Promise<void> {
  if (!(await h.engine.schedules.get(h.schedule))) {
    await h.engine.schedules.set(h.schedule, {
      job: "add",
      pattern: "0 9 * * *",
      payload: { a: 1, b: 1 },
    });
  }
  if ((await h.engine.counts("doom")).states.dead >= 2) return;
  const ids = await h.engine.enqueueBulk([
    { job: Boom, payload: { n: 1 } },
    { job: Boom, payload: { n: 2 } },
  ]);
  await killJobs(h.store, "doom", 2);
  hints.values.id = [...ids, ...(hints.values.id ?? [])].slice(0, 8);
}

const enqueueBodies = [
  { job: "add", payload: { a: 1, b: 2 } },
  { job: "echo", payload: { any: ["thing", 1, null] } },
  { job: "add", payload: { a: 1, b: 2 }, options: { queue: "math", priority: "high" } },
  { job: "echo", payload: "x", options: { delay: 1000, unique: { key: "k" } } },
];

/** Field values (and whole bodies, `body:<METHOD /path>`) that reach the success paths. */
export function hintsOf(h: Harness): Hints {
  return {
    values: {
      "body:POST /v1/jobs": enqueueBodies,
      "body:POST /v1/jobs/bulk": [{ jobs: enqueueBodies }, { jobs: [enqueueBodies[0]] }],
      "body:PUT /v1/schedules/{name}": [
        { job: "add", pattern: "0 9 * * *", payload: { a: 1, b: 2 } },
        { job: "echo", pattern: "@daily", tz: "Europe/Paris", payload: [1] },
      ],
      "body:POST /v1/events/{name}": [{ payload: { to: "ada" } }, {}],
      "body:POST /v1/dead-letters/requeue": [{ queue: "doom" }],
      id: [h.waiting, h.dead[0], h.dead[1], "no-such-job"],
      job: ["add", "boom", "greet", "echo"],
      function: ["add", "boom"],
      queue: ["math", "doom"],
      name: [h.schedule, "user.created", "no-such-schedule"],
      payload: [{ a: 1, b: 2 }, { n: 3 }, { to: "ada" }],
      pattern: ["0 9 * * *", "*/5 * * * *", "@daily", "not a cron"],
      tz: ["UTC", "Europe/Paris", "Mars/Olympus"],
    },
    caps: { wait: 20, minutes: 1440 },
  };
}

/**
 * Everything the store holds that a request could change: queues, their counts per lane and
 * state, pause flags, lane configs, schedules. Waiting and delayed are summed (time moves jobs
 * from one to the other).
 */
export async function fingerprint(h: Harness): Promise<string> {
  const engine = h.engine;
  const counts = await engine.counts();
  const queues = (await engine.queues()).sort();
  const parts = await Promise.all(queues.map(async (queue) => {
    const c = counts[queue];
    const lanes = c
      ? Object.entries(c.lanes).map((
        [lane, s],
      ) => [lane, { ...s, waiting: s.waiting + s.delayed, delayed: 0 }])
      : [];
    return { queue, paused: c?.paused, lanes, config: await engine.queueConfig(queue) };
  }));
  const schedules = (await engine.schedules.list()).map((s) =>
    JSON.stringify(
      s,
      (k, v) => k === "next" || k === "nextRuns" || k === "nextRunAt" ? undefined : v,
    )
  );
  return JSON.stringify({ parts, schedules });
}

/** What came back: the status and the body text, or why there was no answer. */
export interface Answer {
  /** The status, or 0 when the connection failed. */
  status: number;
  /** Content type. */
  type: string;
  /** The body text (not read for event streams). */
  text: string;
  /** The network error, if any. */
  error?: string;
}

/** Builds the `Request` (null when the client itself refuses it, e.g. a header it cannot send). */
export function toRequest(base: string, req: FuzzRequest): Request | null {
  try {
    return new Request(base + req.target, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
  } catch {
    return null;
  }
}

/** Sends `request`; an event stream's body is cancelled after its headers. */
export async function send(request: Request): Promise<Answer> {
  try {
    const res = await fetch(request, { signal: AbortSignal.timeout(30_000) });
    const type = res.headers.get("content-type") ?? "";
    if (type.includes("text/event-stream")) {
      await res.body?.cancel();
      return { status: res.status, type, text: "" };
    }
    return { status: res.status, type, text: await res.text() };
  } catch (error) {
    return { status: 0, type: "", text: "", error: String(error) };
  }
}

/** True when `/healthz` answers 200. */
export async function healthy(base: string): Promise<boolean> {
  const answer = await send(new Request(`${base}/healthz`));
  return answer.status === 200;
}
