/**
 * Queue names: they become part of store keys, so they are checked.
 *
 * @module
 */

/** The queue a job goes to when its definition and its options name none. */
export const DEFAULT_QUEUE = "default";

const QUEUE_NAME = /^[A-Za-z0-9_.\-]{1,128}$/;

/** Throws a `TypeError` unless `name` is a valid queue name (letters, digits, `_.-`, 1-128). */
export function assertQueueName(name: unknown, where = "queue"): asserts name is string {
  if (typeof name !== "string" || !QUEUE_NAME.test(name)) {
    throw new TypeError(
      `${where}: invalid queue name ${JSON.stringify(name)}: ` +
        "use 1-128 letters, digits, '_', '.' or '-'",
    );
  }
}
