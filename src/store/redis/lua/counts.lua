-- counts.lua: one atomic read of a queue's depth.
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _lib.lua)
-- ARGV[1]  queue name
--
-- Returns { paused ("1" or ""), counters (flat HGETALL of the counts hash: "<state>:<lane>",
-- n, ...), waiting per lane index 0..4 (ZCARD of the lane zsets) }.

local q = ARGV[1]
local waiting = {}
for i = 0, 4 do
  waiting[i + 1] = redis.call("ZCARD", lane_key(q, i))
end
local paused = redis.call("HGET", qkey(q, "meta"), "paused") or ""
return { paused, redis.call("HGETALL", qkey(q, "counts")), waiting }
