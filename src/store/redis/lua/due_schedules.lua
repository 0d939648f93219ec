-- due_schedules.lua: the schedules the leader must handle now, and how long until the next.
-- uses: core schedules
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  limit
--
-- Returns { now, wait, then 2 entries per due schedule: name, its hash as a flat HGETALL }.
-- Due: unpaused, with a next fire time <= now or not known (score 0), earliest first (then by
-- name), at most limit. wait: ms until the earliest next fire time after now, "" when none.
-- Read-only.

set_now(ARGV[1])
local due = P .. "cron-due"
local out = { NOW_S, "" }
local after = redis.call("ZRANGEBYSCORE", due, "(" .. NOW_S, "+inf", "LIMIT", 0, 1, "WITHSCORES")
if #after > 0 then out[2] = fmt(tonumber(after[2]) - NOW) end
for _, name in ipairs(redis.call("ZRANGEBYSCORE", due, "-inf", NOW_S, "LIMIT", 0, ARGV[2])) do
  out[#out + 1] = name
  out[#out + 1] = redis.call("HGETALL", schedule_key(name))
end
return out
