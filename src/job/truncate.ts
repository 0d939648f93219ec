/**
 * Cutting long text to a bound, with a note saying how much was cut: for stored errors and log
 * fields, so one huge value cannot bloat the store, the API answers or the logs.
 *
 * @module
 */

/** `text` cut to `limit` characters, with a note of how many more there were. */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… [${text.length - limit} more characters cut]`;
}
