/**
 * Uniqueness: at most one job per key holds a lock, for as long as its scope says.
 *
 * | scope | the key is held |
 * | --- | --- |
 * | `"queued"` | while the job waits (waiting, delayed or blocked): released when it starts or is cancelled |
 * | `"active"` | until the job finishes: released when it completes, is dead-lettered or cancelled |
 * | `"until-complete"` | until the job completes or is dead-lettered; a cancelled job keeps it until retention deletes the job |
 * | a number of ms | for that long after enqueue, whatever happens to the job |
 *
 * On a conflict: `"reject"` (default) refuses the enqueue with a `DuplicateJobError` naming the
 * job holding the key; `"return-existing"` returns that job's id and stores nothing;
 * `"replace"` replaces the payload and options of that job when it is still queued (refused
 * when it runs or finished).
 *
 * @module
 */

/** How long a unique key is held. */
export type UniqueScope = "queued" | "active" | "until-complete" | number;

/** What an enqueue that meets a held key does. */
export type UniqueConflict = "reject" | "return-existing" | "replace";

/** The `unique` option: `key` a string or a function of the payload. */
export interface UniqueOptions<P = unknown> {
  /** The key, or a function of the payload giving it (a job's key is `<function>:<key>`). */
  key: string | ((payload: P) => string);
  /** How long the key is held (default `"active"`). */
  scope?: UniqueScope;
  /** What a conflicting enqueue does (default `"reject"`). */
  onConflict?: UniqueConflict;
}

/** A unique lock as the store takes it. */
export interface UniqueLock {
  /** The full key (`<function>:<key>`). */
  key: string;
  /** How long it is held. */
  scope: UniqueScope;
  /** What a conflicting enqueue does. */
  onConflict: UniqueConflict;
}

/** Longest unique key accepted (after the function name). */
export const MAX_UNIQUE_KEY_LENGTH = 512;

/** Longest window scope: 30 days. */
export const MAX_UNIQUE_WINDOW_MS = 30 * 24 * 3_600_000;

/** Checks `options` for `where`; throws a `TypeError` or `RangeError` naming the bad field. */
export function checkUniqueOptions(options: unknown, where: string): UniqueOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: unique must be an object with a key`);
  }
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!["key", "scope", "onConflict"].includes(name)) {
      throw new TypeError(`${where}: unique has no option ${JSON.stringify(name)}`);
    }
  }
  if (typeof o.key !== "string" && typeof o.key !== "function") {
    throw new TypeError(`${where}: unique.key must be a string or a function of the payload`);
  }
  if (typeof o.key === "string") checkKey(o.key, where);
  const scope = o.scope;
  if (
    scope !== undefined && scope !== "queued" && scope !== "active" &&
    scope !== "until-complete" &&
    !(Number.isInteger(scope) && (scope as number) >= 1 &&
      (scope as number) <= MAX_UNIQUE_WINDOW_MS)
  ) {
    throw new RangeError(
      `${where}: unique.scope must be "queued", "active", "until-complete" or a whole number ` +
        `of ms from 1 to ${MAX_UNIQUE_WINDOW_MS}, got ${JSON.stringify(scope)}`,
    );
  }
  const conflict = o.onConflict;
  if (
    conflict !== undefined && conflict !== "reject" && conflict !== "return-existing" &&
    conflict !== "replace"
  ) {
    throw new TypeError(
      `${where}: unique.onConflict must be "reject", "return-existing" or "replace", got ${
        JSON.stringify(conflict)
      }`,
    );
  }
  return o as unknown as UniqueOptions;
}

/** The lock of a job of function `name` with `payload` under `options`. */
export function uniqueLock(name: string, options: UniqueOptions, payload: unknown): UniqueLock {
  const key = typeof options.key === "function" ? options.key(payload) : options.key;
  if (typeof key !== "string") {
    throw new TypeError(`unique.key of ${name} returned ${typeof key}, not a string`);
  }
  checkKey(key, name);
  return {
    key: `${name}:${key}`,
    scope: options.scope ?? "active",
    onConflict: options.onConflict ?? "reject",
  };
}

function checkKey(key: string, where: string): void {
  if (key.length === 0 || key.length > MAX_UNIQUE_KEY_LENGTH) {
    throw new RangeError(
      `${where}: a unique key must have 1 to ${MAX_UNIQUE_KEY_LENGTH} characters, got ${key.length}`,
    );
  }
}
