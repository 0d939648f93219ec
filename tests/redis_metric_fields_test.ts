/**
 * The Redis store's metrics hashes: one field per counter slot (`lua/_observe.lua`), read back
 * by `decodeMetricFields`, which also reads the one-text-per-group fields earlier versions wrote
 * and adds both up, so an upgrade keeps the totals counted before it.
 */
import assert from "node:assert/strict";
import { decodeMetricFields } from "../src/store/redis/metric_fields.ts";
import { BUCKET_EDGES_MS } from "../src/store/observations.ts";

const BUCKETS = BUCKET_EDGES_MS.length + 1;

/** A group's slots as the earlier format wrote them: every slot, comma-separated. */
function commaText(values: Record<number, number>): string {
  return Array.from({ length: 10 + 2 * BUCKETS }, (_, i) => values[i + 1] ?? 0).join(",");
}

Deno.test("slot fields add up into a group's counters; a run count is its buckets' sum", () => {
  const [group] = decodeMetricFields([
    "q\t2\tsend\t1",
    "3",
    "q\t2\tsend\t8",
    "12.5",
    "q\t2\tsend\t12",
    "3",
  ]);
  assert.equal(group!.queue, "q");
  assert.equal(group!.lane, "normal");
  assert.equal(group!.name, "send");
  assert.equal(group!.completed, 3);
  assert.equal(group!.failed, 0);
  assert.deepEqual([group!.run.count, group!.run.sumMs], [3, 12.5]);
  assert.equal(group!.run.buckets[1], 3); // slot 12: run bucket 2 (5-10 ms)
  assert.equal(group!.run.buckets.reduce((a, b) => a + b), 3);
  assert.equal(group!.wait.count, 0);
});

Deno.test("a group written before (one comma-separated field) adds to its slot fields", () => {
  const groups = decodeMetricFields([
    "q\t2\tsend",
    commaText({ 1: 10, 2: 1, 7: 11, 8: 400, 11: 11 }),
    "q\t2\tsend\t1",
    "2",
    "q\t2\tsend\t8",
    "30",
    "q\t2\tsend\t11",
    "2",
    "a\t0\t",
    commaText({ 3: 1 }),
  ]);
  assert.deepEqual(groups.map((g) => [g.queue, g.lane, g.name]), [
    ["a", "critical", ""],
    ["q", "normal", "send"],
  ]);
  assert.equal(groups[0]!.dead, 1);
  const q = groups[1]!;
  assert.deepEqual([q.completed, q.failed, q.run.count, q.run.sumMs], [12, 1, 13, 430]);
  assert.equal(q.run.buckets[0], 13);
});
