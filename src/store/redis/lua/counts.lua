-- counts.lua: one atomic read of a queue's depth.
-- uses: core
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  queue name
--
-- Returns { paused ("1" or ""), counters (flat HGETALL of the counts hash: "<state letter><lane
-- index>", n, ...), waiting per lane index 0..4 (LLEN of the lane lists) }.
-- Read-only.

local q = ARGV[1]
local waiting = {}
for i = 0, 4 do
  waiting[i + 1] = redis.call("LLEN", lane_key(q, i))
end
local paused = redis.call("HGET", qkey(q, "meta"), "paused") or ""
return { paused, redis.call("HGETALL", qkey(q, "counts")), waiting }
