/**
 * One profile of the API fuzz on one store: the operations of `/openapi.json` (`runs` requests
 * each), the raw HTTP cases, and the metacharacter names (`names` generated ones after the
 * listed ones). The CI test and `deno task fuzz:api` run it with different sizes.
 *
 * @module
 */
import type { Store } from "../../store.ts";
import { fuzzNames } from "./names.ts";
import { rawCases, sendRaw } from "./raw_http.ts";
import { fuzzApi, type Row, table } from "./run.ts";
import { healthy, serveTarget, type Target } from "./target.ts";

/** Sizes and seed of a profile. */
export interface Profile {
  /** Requests per operation. */
  runs: number;
  /** Generated names (after the listed ones). */
  names: number;
  /** The seed. */
  seed: number;
  /** Only operations whose key contains this. */
  only?: string;
  /** Fuzz an open gateway (no tokens: its host and origin rules) instead of one with tokens. */
  open?: boolean;
}

/** What a profile found. */
export interface ProfileResult {
  /** The table, raw cases and names included, failures listed under it. */
  report: string;
  /** Failed operations, raw cases and names. */
  failures: number;
}

async function rawRows(target: Target): Promise<Row[]> {
  const port = Number(new URL(target.base).port);
  const rows: Row[] = [];
  for (const c of rawCases()) {
    const answer = await sendRaw(port, c);
    const code = answer ? /"code":"(\w+)"/.exec(answer.text)?.[1] : undefined;
    let failure = "";
    if (answer && answer.status >= 500) failure = `status ${answer.status}`;
    else if (c.code && code !== c.code) failure = `code ${code ?? "(none)"}, want ${c.code}`;
    else if (!(await healthy(target.base))) failure = "/healthz stopped answering";
    rows.push({
      endpoint: `raw: ${c.name}`,
      requests: 1,
      ok2xx: answer && answer.status < 300 ? 1 : 0,
      refused4xx: answer && answer.status >= 400 && answer.status < 500 ? 1 : 0,
      unsendable: 0,
      failures: failure ? 1 : 0,
      failure: failure ? `raw case "${c.name}": ${failure}` : "",
    });
  }
  return rows;
}

/** Runs `profile` against a gateway on `store` (closed after). */
export async function runProfile(
  storeName: string,
  store: Store,
  profile: Profile,
): Promise<ProfileResult> {
  const started = performance.now();
  const target = await serveTarget(store, profile.open ?? false);
  try {
    const rows = await fuzzApi(target, profile);
    if (!profile.only) {
      rows.push(...await rawRows(target));
      const names = await fuzzNames(target, profile.names, profile.seed);
      rows.push({
        endpoint: "names: function, id, queue, unique key, schedule, event",
        requests: names.names,
        ok2xx: 0,
        refused4xx: 0,
        unsendable: 0,
        failures: names.failure ? 1 : 0,
        failure: names.failure,
      });
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const title =
      `API fuzz on ${storeName}${
        profile.open ? " (open gateway)" : ""
      }: seed ${profile.seed}, ${profile.runs} requests per ` +
      `operation, ${seconds} s`;
    return {
      report: table(title, rows),
      failures: rows.reduce((n, r) => n + r.failures, 0),
    };
  } finally {
    await target.close();
  }
}
