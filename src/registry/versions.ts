/**
 * Payload versions: a definition declares `version: n` and `migrations` from older versions. A job
 * enqueued as v1 and run by v3 code is migrated v1 -> v2 -> v3, then validated. A job newer than
 * the running code is handed back for a node that knows it (see `run_job.ts`).
 *
 * @module
 */
import { PayloadMigrationError } from "../job/errors.ts";

/** Turns a payload of version `k` into one of version `k + 1`; may be async. */
// deno-lint-ignore no-explicit-any
export type Migration = (payload: any) => unknown;

/** Migrations keyed by the version they upgrade from: `{ 1: v1ToV2, 2: v2ToV3 }`. */
export type Migrations = Readonly<Record<number, Migration>>;

/** Highest payload version accepted. */
export const MAX_PAYLOAD_VERSION = 1_000_000;

/** How long a too-new job waits before it is offered again (ms). */
export const VERSION_HANDBACK_DELAY_MS = 5_000;

/** Hand-backs of a too-new job before it is dead-lettered. */
export const MAX_VERSION_HANDBACKS = 10;

/** Checked versioning options of a definition. */
export interface Versioning {
  /** The payload version the code expects (1 and up). */
  version: number;
  /** Migrations from older versions, a contiguous chain ending at `version - 1`. */
  migrations: Migrations;
}

/**
 * Checks `version` and `migrations`: the version is a whole number >= 1; migrations are functions
 * keyed by whole versions below it, with no gap up to `version - 1` (older ones may be dropped once
 * no such job remains). Throws a `TypeError` or `RangeError` naming `where`.
 */
export function checkVersioning(version: unknown, migrations: unknown, where: string): Versioning {
  const v = version ?? 1;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_PAYLOAD_VERSION) {
    throw new RangeError(
      `${where}: version must be a whole number from 1 to ${MAX_PAYLOAD_VERSION}, ` +
        `got ${JSON.stringify(version)}`,
    );
  }
  const m = migrations ?? {};
  if (typeof m !== "object" || m === null || Array.isArray(m)) {
    throw new TypeError(`${where}: migrations must be an object keyed by version`);
  }
  for (const [key, step] of Object.entries(m)) {
    const from = Number(key);
    if (!Number.isInteger(from) || from < 1 || from >= v) {
      throw new RangeError(
        `${where}: migrations key ${JSON.stringify(key)} must be a version from 1 to ${v - 1} ` +
          `(version is ${v})`,
      );
    }
    if (typeof step !== "function") {
      throw new TypeError(`${where}: migrations[${key}] must be a function`);
    }
  }
  if (v > 1 && !(v - 1 in m)) {
    throw new RangeError(`${where}: version ${v} needs migrations[${v - 1}]`);
  }
  const oldest = Math.min(v, ...Object.keys(m).map(Number));
  for (let k = oldest; k < v; k++) {
    if (!(k in m)) {
      throw new RangeError(
        `${where}: migrations have a gap: no migration from version ${k} to ${k + 1}`,
      );
    }
  }
  return { version: v, migrations: Object.freeze({ ...m }) as Migrations };
}

/**
 * Migrates `payload` from version `from` up to `versioning.version`, one step at a time. Throws
 * `PayloadMigrationError` when no chain starts at `from` or a migration throws.
 */
export async function migratePayload(
  name: string,
  payload: unknown,
  from: number,
  versioning: Versioning,
): Promise<unknown> {
  let value = payload;
  for (let k = from; k < versioning.version; k++) {
    const step = versioning.migrations[k];
    if (!step) {
      throw new PayloadMigrationError(
        name,
        `payload version ${from} has no migration path to v${versioning.version} ` +
          `(no migration from v${k})`,
      );
    }
    try {
      value = await step(value);
    } catch (error) {
      throw new PayloadMigrationError(
        name,
        `migrating the payload from v${k} to v${k + 1} failed: ${
          (error as Error)?.message ?? error
        }`,
        { cause: error },
      );
    }
  }
  return value;
}
