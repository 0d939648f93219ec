/**
 * Aligned text columns, for the listing commands.
 *
 * @module
 */

/** `rows` (the first is the header) as lines of columns padded to their widest cell. */
export function table(rows: (string | number)[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i]!)).join("  ").trimEnd());
}

/** Prints `rows` as a table through `out`, or `none` when there are only the headers. */
export function printTable(
  out: (line: string) => void,
  rows: (string | number)[][],
  none: string,
): void {
  if (rows.length <= 1) out(none);
  else for (const line of table(rows)) out(line);
}

/** An epoch-ms time as ISO 8601, or "" for none. */
export function when(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString() : "";
}
