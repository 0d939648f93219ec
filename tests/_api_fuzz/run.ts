/**
 * The API fuzz run: for every operation of the gateway's own `/openapi.json`, `runs` requests
 * from its arbitrary (fast-check, one seed per operation derived from the run's seed), each
 * checked: an answer (no dropped connection), never a 5xx, an error body in the one JSON shape
 * with a code, no polluted `Object.prototype`, nothing stored by a refused state change, and
 * `/healthz` still answering. A failure names the seed, the operation and the request, so
 * `SLUICE_FUZZ_SEED` replays it.
 *
 * @module
 */
import fc from "fast-check";
import { type Endpoint, endpointsOf, type FuzzRequest, requestArb } from "./requests.ts";
import type { Doc } from "./schema_arb.ts";
import {
  type Answer,
  fingerprint,
  healthy,
  hintsOf,
  restock,
  send,
  type Target,
  toRequest,
} from "./target.ts";

/** One row of the table: an operation's requests and what came of them. */
export interface Row {
  /** `METHOD /path`. */
  endpoint: string;
  /** Requests sent. */
  requests: number;
  /** Answers by status class. */
  ok2xx: number;
  /** 4xx answers. */
  refused4xx: number;
  /** Requests the HTTP client itself would not send (e.g. a header it cannot encode). */
  unsendable: number;
  /** Failed checks (0 or 1: a failing operation stops at its first failure). */
  failures: number;
  /** The failure, with seed and request, or "". */
  failure: string;
}

/** How a run goes. */
export interface RunOptions {
  /** Requests per operation. */
  runs: number;
  /** The run's seed (operation `i` uses `seed + i`). */
  seed: number;
  /** Only operations whose key contains this. */
  only?: string;
  /** Check `/healthz` after every this many requests (default 10). */
  healthEvery?: number;
}

/** Why one answer fails the checks, or null. */
export function problemOf(req: FuzzRequest, answer: Answer): string | null {
  if (answer.status === 0) return `no answer: ${answer.error}`;
  if (answer.status >= 500) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return null;
  if (req.method === "HEAD") return null;
  if (!answer.type.includes("application/json")) return `error without JSON: ${answer.type}`;
  let body: { error?: { code?: unknown; status?: unknown } };
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `error body is not JSON: ${answer.text.slice(0, 200)}`;
  }
  if (typeof body.error?.code !== "string" || body.error.code === "") {
    return `error body without a code: ${answer.text.slice(0, 200)}`;
  }
  if (body.error.status !== answer.status) {
    return `error.status ${body.error.status} is not ${answer.status}`;
  }
  return null;
}

/**
 * The gateway runs in this process: a `__proto__` key merged carelessly would show on every
 * object here (the hostile bodies set `polluted` and `isAdmin`).
 */
function pollution(): string | null {
  const probe = {} as Record<string, unknown>;
  return probe.polluted !== undefined || probe.isAdmin !== undefined
    ? "Object.prototype was polluted"
    : null;
}

/** A request as a replayable line (long bodies cut). */
export function describe(req: FuzzRequest): string {
  const body = req.body === undefined
    ? ""
    : typeof req.body === "string"
    ? ` body(${req.body.length} chars)=${JSON.stringify(req.body.slice(0, 300))}`
    : ` body(bytes)=[${[...req.body].join(",")}]`;
  return `[${req.variant}] ${req.method} ${req.target.slice(0, 400)} headers=${
    JSON.stringify(req.headers).slice(0, 300)
  }${body}`;
}

/** The checks of one request against a target; throws with the reason. */
async function check(
  target: Target,
  endpoint: Endpoint,
  req: FuzzRequest,
  row: Row,
): Promise<void> {
  const request = toRequest(target.base, req);
  row.requests++;
  if (!request) {
    row.unsendable++;
    return;
  }
  const before = endpoint.mutating ? await fingerprint(target.h) : "";
  const answer = await send(request);
  const problem = problemOf(req, answer) ?? pollution();
  if (problem) throw new Error(problem);
  if (answer.status < 300) row.ok2xx++;
  else row.refused4xx++;
  if (endpoint.mutating && answer.status >= 400) {
    const after = await fingerprint(target.h);
    if (after !== before) {
      throw new Error(`refused with ${answer.status} yet the store changed:\n${before}\n${after}`);
    }
  }
  if (row.requests % 10 === 0 && !(await healthy(target.base))) {
    throw new Error("/healthz stopped answering");
  }
}

/** Reads the document the gateway serves. */
export async function openapiOf(target: Target): Promise<Doc> {
  const res = await fetch(`${target.base}/openapi.json`);
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
  return await res.json() as Doc;
}

/** Fuzzes every operation of `target`'s own document; one row per operation. */
export async function fuzzApi(target: Target, options: RunOptions): Promise<Row[]> {
  const doc = await openapiOf(target);
  const hints = hintsOf(target.h);
  const rows: Row[] = [];
  const endpoints = endpointsOf(doc);
  for (const [index, endpoint] of endpoints.entries()) {
    if (options.only && !endpoint.key.includes(options.only)) continue;
    const row: Row = {
      endpoint: endpoint.key,
      requests: 0,
      ok2xx: 0,
      refused4xx: 0,
      unsendable: 0,
      failures: 0,
      failure: "",
    };
    rows.push(row);
    await restock(target.h, hints);
    const seed = options.seed + index;
    let last: FuzzRequest | null = null;
    const details = await fc.check(
      fc.asyncProperty(requestArb(doc, endpoint, hints), async (req) => {
        last = req;
        await check(target, endpoint, req, row);
      }),
      { numRuns: options.runs, seed, endOnFailure: true },
    );
    if (details.failed) {
      row.failures = 1;
      const cause = details.errorInstance instanceof Error
        ? details.errorInstance.message
        : String(details.errorInstance);
      row.failure = `seed ${options.seed} (operation seed ${seed}) ${endpoint.key}: ${cause}\n  ` +
        describe(last!);
    }
  }
  if (!(await healthy(target.base))) {
    rows.push({ ...rows[0]!, endpoint: "/healthz after the run", failures: 1, failure: "down" });
  }
  return rows;
}

/** The rows as a text table, failures listed under it. */
export function table(title: string, rows: Row[]): string {
  const head = ["endpoint", "requests", "2xx", "4xx", "unsendable", "5xx/failed"];
  const body = rows.map((r) => [
    r.endpoint,
    String(r.requests),
    String(r.ok2xx),
    String(r.refused4xx),
    String(r.unsendable),
    String(r.failures),
  ]);
  const total = [
    "total",
    ...[1, 2, 3, 4, 5].map((i) => String(body.reduce((sum, row) => sum + Number(row[i]), 0))),
  ];
  const all = [head, ...body, total];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join("  ");
  const failures = rows.filter((r) => r.failure).map((r) => `FAIL ${r.failure}`);
  return [title, line(head), ...body.map(line), line(total), ...failures].join("\n");
}
