/**
 * Names full of Redis, Lua and URL metacharacters are plain data: as a function, a job id, a
 * queue, a unique key, an event or a schedule name, each is either accepted and read back exactly (by its own
 * URL, in lists, as the key that refuses a second job) or refused with a 4xx that stores nothing;
 * never a 5xx, never another job's key.
 *
 * @module
 */
import fc from "fast-check";
import { TOKENS } from "../_gateway_harness.ts";
import { hostileName, METACHAR_NAMES } from "./hostile.ts";
import { encodePart } from "./requests.ts";
import { fingerprint, type Target } from "./target.ts";

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(target: Target, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(target.base + path, {
    method,
    headers: {
      authorization: `Bearer ${TOKENS.admin}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

function expect(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** A refusal: a 4xx that changed nothing. */
async function refused(target: Target, before: string, reply: Reply, what: string): Promise<void> {
  expect(reply.status >= 400 && reply.status < 500, `${what}: status ${reply.status}`);
  expect(typeof (reply.body.error as { code?: unknown })?.code === "string", `${what}: no code`);
  expect((await fingerprint(target.h)) === before, `${what}: refused, yet the store changed`);
}

async function listIds(target: Target, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await call(
      target,
      "GET",
      `/v1/jobs?${query}&limit=1000${cursor ? `&cursor=${encodePart(cursor)}` : ""}`,
    );
    expect(page.status === 200, `list ${query}: ${page.status}`);
    ids.push(...(page.body.jobs as { id: string }[]).map((j) => j.id));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return ids;
}

/** `name` as a job id: kept exactly, found by its URL and in its queue's list. */
async function asJobId(target: Target, name: string): Promise<void> {
  const before = await fingerprint(target.h);
  const reply = await call(target, "POST", "/v1/jobs", {
    job: "echo",
    payload: { name },
    options: { id: name },
  });
  if (reply.status !== 201) {
    return await refused(target, before, reply, `job id ${JSON.stringify(name)}`);
  }
  expect(
    reply.body.id === name,
    `job id ${JSON.stringify(name)} came back as ${JSON.stringify(reply.body.id)}`,
  );
  const got = await call(target, "GET", `/v1/jobs/${encodePart(name)}`);
  expect(got.status === 200, `GET job ${JSON.stringify(name)}: ${got.status}`);
  expect(got.body.id === name, `GET job ${JSON.stringify(name)} is ${JSON.stringify(got.body.id)}`);
  expect(
    (got.body.payload as { name?: string })?.name === name,
    `payload of ${JSON.stringify(name)}`,
  );
  expect(
    (await listIds(target, "queue=echo")).includes(name),
    `job ${JSON.stringify(name)} not listed`,
  );
}

/** `name` as a queue: its job is listed there and the queue reads back. */
async function asQueue(target: Target, name: string): Promise<void> {
  const before = await fingerprint(target.h);
  const reply = await call(target, "POST", "/v1/jobs", {
    job: "echo",
    payload: 1,
    options: { queue: name },
  });
  if (reply.status !== 201) {
    return await refused(target, before, reply, `queue ${JSON.stringify(name)}`);
  }
  const queue = await call(target, "GET", `/v1/queues/${encodePart(name)}`);
  expect(
    queue.status === 200 && queue.body.queue === name,
    `GET queue ${JSON.stringify(name)}: ${queue.status}`,
  );
  const ids = await listIds(target, `queue=${encodePart(name)}`);
  expect(ids.includes(reply.body.id as string), `job not listed in queue ${JSON.stringify(name)}`);
}

/** `name` as a unique key: the job shows it, and it refuses a second job naming the first. */
async function asUniqueKey(target: Target, name: string): Promise<void> {
  const before = await fingerprint(target.h);
  const body = {
    job: "echo",
    payload: 2,
    options: { unique: { key: name, scope: "until-complete" } },
  };
  const first = await call(target, "POST", "/v1/jobs", body);
  if (first.status !== 201) {
    return await refused(target, before, first, `unique key ${JSON.stringify(name)}`);
  }
  const job = await call(target, "GET", `/v1/jobs/${encodePart(first.body.id as string)}`);
  expect(
    job.body.uniqueKey === `echo:${name}`,
    `unique key ${JSON.stringify(name)}: ${job.body.uniqueKey}`,
  );
  const second = await call(target, "POST", "/v1/jobs", body);
  const details = (second.body.error as { details?: { existingId?: string } })?.details;
  expect(
    second.status === 409 && details?.existingId === first.body.id,
    `second job of key ${JSON.stringify(name)}: ${second.status}`,
  );
}

/** `name` as a schedule and as an event: read back exactly, or refused. */
async function asScheduleAndEvent(target: Target, name: string): Promise<void> {
  let before = await fingerprint(target.h);
  const path = `/v1/schedules/${encodePart(name)}`;
  const set = await call(target, "PUT", path, { job: "echo", pattern: "@daily", payload: name });
  if (set.status === 200) {
    const got = await call(target, "GET", path);
    expect(
      got.status === 200 && got.body.name === name,
      `schedule ${JSON.stringify(name)}: ${got.status}`,
    );
    expect(
      (await call(target, "DELETE", path)).status === 200,
      `DELETE schedule ${JSON.stringify(name)}`,
    );
  } else await refused(target, before, set, `schedule ${JSON.stringify(name)}`);
  before = await fingerprint(target.h);
  const emit = await call(target, "POST", `/v1/events/${encodePart(name)}`, {
    payload: { to: "x" },
  });
  if (emit.status === 202) {
    expect(emit.body.event === name, `event ${JSON.stringify(name)}: ${emit.body.event}`);
  } else await refused(target, before, emit, `event ${JSON.stringify(name)}`);
}

/**
 * `name` as a function: registered names are plain words, so enqueueing it is refused (nothing
 * stored), and filtering jobs and dead letters by it finds none.
 */
async function asFunction(target: Target, name: string): Promise<void> {
  if (target.h.engine.functionNames().includes(name)) return;
  const before = await fingerprint(target.h);
  const reply = await call(target, "POST", "/v1/jobs", { job: name, payload: 1 });
  await refused(target, before, reply, `function ${JSON.stringify(name)}`);
  for (const path of ["/v1/jobs", "/v1/dead-letters"]) {
    const page = await call(target, "GET", `${path}?function=${encodePart(name)}`);
    const jobs = page.body.jobs as unknown[] | undefined;
    expect(
      page.status === 400 || (page.status === 200 && jobs?.length === 0),
      `${path}?function=${JSON.stringify(name)}: ${page.status}`,
    );
  }
}

/** Every use of `name`; throws with what went wrong. */
export async function checkName(target: Target, name: string): Promise<void> {
  await asFunction(target, name);
  await asJobId(target, name);
  await asQueue(target, name);
  await asUniqueKey(target, name);
  await asScheduleAndEvent(target, name);
}

/** What a names run did. */
export interface NamesResult {
  /** Names tried. */
  names: number;
  /** The failure (seed, name, reason), or "". */
  failure: string;
}

/** Checks the listed metacharacter names, then `runs` generated ones. */
export async function fuzzNames(target: Target, runs: number, seed: number): Promise<NamesResult> {
  let names = 0;
  let last = "";
  for (const name of METACHAR_NAMES) {
    names++;
    try {
      await checkName(target, name);
    } catch (error) {
      return { names, failure: `listed name ${JSON.stringify(name)}: ${(error as Error).message}` };
    }
  }
  const details = await fc.check(
    fc.asyncProperty(hostileName, async (name) => {
      names++;
      last = name;
      await checkName(target, name);
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  const failure = details.failed
    ? `seed ${seed} name ${JSON.stringify(last)}: ${(details.errorInstance as Error)?.message}`
    : "";
  return { names, failure };
}
