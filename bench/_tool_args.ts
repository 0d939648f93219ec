/**
 * The counts the bench's tools take on their command line (`bench:lua --jobs`, `bench:alloc
 * --top`, ...): each a positive whole number, or the tool stops with its and the flag's name.
 *
 * @module
 */

/** `given` (flag -> its text) as numbers; throws naming `tool` and the flag of one that is not. */
export function positiveCounts<K extends string>(
  tool: string,
  given: Record<K, string>,
): Record<K, number> {
  const counts = {} as Record<K, number>;
  for (const [flag, text] of Object.entries(given) as [K, string][]) {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`${tool}: --${flag} takes a positive whole number, not ${text}`);
    }
    counts[flag] = n;
  }
  return counts;
}
