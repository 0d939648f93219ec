/**
 * The memory store's lane: under any mix of pushes at both ends, shifts and removals (past the
 * compaction of its drained part), it holds the jobs in the order a Redis list given the same
 * `RPUSH`, `LPUSH`, `LPOP` and `LREM` would.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type LaneEntry, LaneList } from "../src/store/memory/lane_list.ts";

type Op =
  | { op: "back"; n: number }
  | { op: "front" }
  | { op: "shift"; n: number }
  | { op: "delete"; pick: number };

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("back" as const), n: fc.integer({ min: 1, max: 1500 }) }),
    fc.record({ op: fc.constant("front" as const) }),
    fc.record({ op: fc.constant("shift" as const), n: fc.integer({ min: 1, max: 1500 }) }),
    fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
  ),
  { maxLength: 40 },
);

Deno.test("LaneList: holds its jobs in a Redis list's order through pushes, shifts and removals", () => {
  fc.assert(
    fc.property(ops, (script) => {
      const lane = new LaneList<LaneEntry>();
      const model: LaneEntry[] = []; // front first, as LRANGE 0 -1 lists it
      const gone: LaneEntry[] = []; // entries no longer in the lane
      let next = 0;
      const entry = (): LaneEntry => ({ id: `j${next++}`, lanePos: -1 });
      for (const step of script) {
        if (step.op === "back") {
          for (let i = 0; i < step.n; i++) {
            const e = entry();
            lane.pushBack(e);
            model.push(e);
          }
        } else if (step.op === "front") {
          const e = entry();
          lane.pushFront(e);
          model.unshift(e);
        } else if (step.op === "shift") {
          for (let i = 0; i < step.n; i++) {
            const e = lane.shift();
            assert.equal(e, model.shift());
            if (e) gone.push(e);
          }
        } else {
          // an entry in the lane, or (one time in four) one that left it: not there to remove
          const fromGone = gone.length > 0 && (model.length === 0 || step.pick % 4 === 0);
          if (fromGone) {
            assert.equal(lane.delete(gone[step.pick % gone.length]!), false);
          } else if (model.length > 0) {
            const [e] = model.splice(step.pick % model.length, 1);
            assert.equal(lane.delete(e!), true);
            gone.push(e!);
          }
        }
        assert.equal(lane.size, model.length);
        assert.equal(lane.head(), model[0]);
      }
      assert.deepEqual(lane.slice(0, Infinity).map((e) => e.id), model.map((e) => e.id));
      assert.deepEqual(lane.slice(1, 2).map((e) => e.id), model.slice(1, 3).map((e) => e.id));
    }),
    { numRuns: 200 },
  );
});

Deno.test("LaneList: an entry removed, then pushed again, is found and removed again, by its own lane only", () => {
  const lane = new LaneList<LaneEntry>();
  const entries = Array.from({ length: 3000 }, (_, i) => ({ id: `j${i}`, lanePos: -1 }));
  for (const e of entries) lane.pushBack(e);
  for (let i = 0; i < 2000; i++) lane.shift(); // past the compaction of the drained part
  const moved = entries[2500]!;
  assert.equal(lane.delete(moved), true);
  lane.pushBack(moved);
  assert.equal(lane.delete(moved), true);
  assert.equal(lane.delete(moved), false);
  lane.pushFront(moved);
  assert.equal(lane.head(), moved);
  assert.equal(lane.delete(moved), true);
  assert.equal(lane.size, 999);
  assert.equal(lane.head(), entries[2000]);
  // another lane does not hold it, wherever its position points there
  const other = new LaneList<LaneEntry>();
  for (let i = 0; i < 3000; i++) other.pushBack({ id: `k${i}`, lanePos: -1 });
  assert.equal(other.delete(entries[2100]!), false);
  assert.equal(other.size, 3000);
  assert.equal(lane.delete(entries[2100]!), true);
});
