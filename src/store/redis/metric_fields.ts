/**
 * The metric groups of a metrics hash (`{p}m:<minute>`, `{p}m:total`, written by
 * `lua/_observe.lua`): a field `queue TAB lane index TAB function TAB slot` holds one counter
 * (slot 1-based, in the order of `SLOTS` then the run and wait buckets); a field
 * `queue TAB lane index TAB function` holds all of a group's counters comma-separated, as Sluice
 * wrote them before one field per counter. Both kinds of one group add up. The run and wait
 * counts are not written as fields: each is the sum of its histogram's buckets.
 *
 * @module
 */
import { BUCKET_EDGES_MS, type MetricGroup, metricGroup, SLOTS } from "../observations.ts";
import { pairs, text } from "./record.ts";

const BUCKETS = BUCKET_EDGES_MS.length + 1;
const RUN_BUCKET0 = SLOTS.length; // the run buckets follow the named slots, then the wait buckets
const RUN_COUNT = SLOTS.indexOf("runCount");
const WAIT_COUNT = SLOTS.indexOf("waitCount");

/** The sum of the BUCKETS slots from `from` (absent slots count 0). */
function bucketSum(slots: number[], from: number): number {
  let sum = 0;
  for (let i = from; i < from + BUCKETS; i++) sum += slots[i] ?? 0;
  return sum;
}

/** The groups of an HGETALL reply of a metrics hash, sorted by group key. */
export function decodeMetricFields(reply: unknown): MetricGroup[] {
  const slotsByGroup = new Map<string, number[]>();
  for (const [field, value] of pairs(reply)) {
    const parts = field.split("\t");
    const group = parts.slice(0, 3).join("\t");
    let slots = slotsByGroup.get(group);
    if (!slots) slotsByGroup.set(group, slots = []);
    if (parts.length > 3) {
      const i = Number(parts[3]) - 1;
      slots[i] = (slots[i] ?? 0) + Number(text(value));
    } else {
      text(value).split(",").forEach((n, i) => slots[i] = (slots[i] ?? 0) + Number(n));
    }
  }
  return [...slotsByGroup].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([group, slots]) => {
      slots[RUN_COUNT] = bucketSum(slots, RUN_BUCKET0);
      slots[WAIT_COUNT] = bucketSum(slots, RUN_BUCKET0 + BUCKETS);
      return metricGroup(group, slots);
    });
}
