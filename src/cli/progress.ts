/**
 * A text progress bar: `[######------] 52%  1,300 jobs  2,480/s`.
 *
 * @module
 */

/** Renders progress: `fraction` in 0..1, `count` items so far after `elapsedMs`. */
export function progressBar(
  fraction: number,
  count: number,
  elapsedMs: number,
  width = 24,
): string {
  const f = Math.min(Math.max(fraction, 0), 1);
  const filled = Math.round(f * width);
  const rate = elapsedMs > 0 ? Math.round(count / (elapsedMs / 1000)) : 0;
  const pct = String(Math.floor(f * 100)).padStart(3);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct}%  ` +
    `${count.toLocaleString("en-US")} jobs  ${rate.toLocaleString("en-US")}/s`;
}
