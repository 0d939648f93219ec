/**
 * Rate and concurrency limits, global across every node: a rate limit lets at most `max` jobs
 * start in any `duration` ms; a concurrency limit lets at most `max` run at once (counted with
 * their leases, so a dead node's slots come back when its jobs are reclaimed). A function's
 * limits count per key when it gives a `key` function of the payload (a tenant, an account).
 *
 * @module
 */

/** At most `max` starts in any `duration` ms. */
export interface RateLimit {
  /** Starts allowed per window. */
  max: number;
  /** The window, in ms. */
  duration: number;
}

/** A function's limits as the store keeps them. */
export interface FunctionLimits {
  /** Its rate limit, or null. */
  rate: RateLimit | null;
  /** Most of its jobs running at once, or null. */
  concurrency: number | null;
  /** Both count per key (a function of the payload) rather than for the whole function. */
  perKey: boolean;
}

/** `rateLimit` of a definition: a rate limit, per key when `key` is given. */
export interface RateLimitOptions<P = unknown> extends RateLimit {
  /** The key the limit counts per (a function of the payload), e.g. a tenant id. */
  key?: (payload: P) => string;
}

/** `concurrencyLimit` of a definition: most jobs running at once, per key when `key` is given. */
export interface ConcurrencyLimitOptions<P = unknown> {
  /** Jobs running at once, at most. */
  max: number;
  /** The key the limit counts per (a function of the payload). */
  key?: (payload: P) => string;
}

/** Largest `max` of a limit. */
export const MAX_LIMIT = 1_000_000;

/** Longest rate window: a day. */
export const MAX_RATE_WINDOW_MS = 24 * 3_600_000;

/** Throws a `RangeError` naming `where` unless `limit` is a valid rate limit. */
export function checkRateLimit(limit: unknown, where: string): RateLimit {
  const l = limit as Partial<RateLimit> | null;
  if (typeof l !== "object" || l === null) {
    throw new TypeError(`${where}: a rate limit is { max, duration }`);
  }
  if (!Number.isInteger(l.max) || l.max! < 1 || l.max! > MAX_LIMIT) {
    throw new RangeError(
      `${where}: max must be a whole number from 1 to ${MAX_LIMIT}, got ${l.max}`,
    );
  }
  if (!Number.isInteger(l.duration) || l.duration! < 1 || l.duration! > MAX_RATE_WINDOW_MS) {
    throw new RangeError(
      `${where}: duration must be a whole number of ms from 1 to ${MAX_RATE_WINDOW_MS}, got ${l.duration}`,
    );
  }
  return { max: l.max!, duration: l.duration! };
}

/** Throws a `RangeError` naming `where` unless `max` is a valid concurrency. */
export function checkConcurrency(max: unknown, where: string): number {
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > MAX_LIMIT) {
    throw new RangeError(`${where}: max must be a whole number from 1 to ${MAX_LIMIT}, got ${max}`);
  }
  return max as number;
}

/** Longest limit key accepted (after the function name). */
export const MAX_LIMIT_KEY_LENGTH = 512;

/** A definition's limits, checked: what the store keeps, and the key function if per key. */
export interface DefinitionLimits {
  /** The limits as every node's store applies them. */
  stored: FunctionLimits;
  /** The key each job counts under, from its payload; null when the limits are global. */
  key: ((payload: unknown) => string) | null;
}

/**
 * Checks a definition's `rateLimit` and `concurrencyLimit` (either may be undefined); throws a
 * `TypeError`/`RangeError` naming `where`. Both count under one key per job, so when both are
 * given per key they must share the same `key` function.
 */
export function checkLimitOptions(
  rateLimit: unknown,
  concurrencyLimit: unknown,
  where: string,
): DefinitionLimits | undefined {
  if (rateLimit === undefined && concurrencyLimit === undefined) return undefined;
  const rate = rateLimit === undefined ? null : checkRateLimit(rateLimit, `${where}: rateLimit`);
  const r = rateLimit as RateLimitOptions | undefined;
  checkKnown(r, ["max", "duration", "key"], `${where}: rateLimit`);
  let concurrency: number | null = null;
  const c = concurrencyLimit as ConcurrencyLimitOptions | undefined;
  if (c !== undefined) {
    if (typeof c !== "object" || c === null) {
      throw new TypeError(`${where}: concurrencyLimit is { max, key? }`);
    }
    checkKnown(c, ["max", "key"], `${where}: concurrencyLimit`);
    concurrency = checkConcurrency(c.max, `${where}: concurrencyLimit`);
  }
  for (const [name, o] of [["rateLimit", r], ["concurrencyLimit", c]] as const) {
    if (o?.key !== undefined && typeof o.key !== "function") {
      throw new TypeError(`${where}: ${name}.key must be a function of the payload`);
    }
  }
  if (r && c && r.key !== c.key) {
    throw new TypeError(
      `${where}: rateLimit.key and concurrencyLimit.key must be the same function (both limits ` +
        "count under one key per job); give both the same key, or neither",
    );
  }
  const key = (r?.key ?? c?.key ?? null) as DefinitionLimits["key"];
  return { stored: { rate, concurrency, perKey: key !== null }, key };
}

function checkKnown(o: object | undefined, known: readonly string[], where: string): void {
  for (const name of Object.keys(o ?? {})) {
    if (!known.includes(name)) {
      throw new TypeError(`${where}: unknown option ${JSON.stringify(name)} (known: ${known})`);
    }
  }
}

/** The limit key of a job of function `name` with `payload`: the name, or `name|key`. */
export function limitKeyOf(name: string, limits: DefinitionLimits, payload: unknown): string {
  if (limits.key === null) return name;
  const key = limits.key(payload);
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_LIMIT_KEY_LENGTH) {
    throw new TypeError(
      `the limit key of ${name} must be a string of 1 to ${MAX_LIMIT_KEY_LENGTH} characters, ` +
        `got ${typeof key === "string" ? `${key.length} characters` : typeof key}`,
    );
  }
  return `${name}|${key}`;
}
