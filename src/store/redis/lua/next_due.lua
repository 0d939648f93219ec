-- next_due.lua: the earliest runAt of a delayed job in the given queues.
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _lib.lua)
-- ARGV[1..] queue names
--
-- Returns the earliest score as text, or "" when no queue has a delayed job.

local best = nil
local best_s = ""
for i = 1, #ARGV do
  local top = redis.call("ZRANGE", qkey(ARGV[i], "delayed"), 0, 0, "WITHSCORES")
  if #top > 0 then
    local n = tonumber(top[2])
    if best == nil or n < best then
      best = n
      best_s = top[2]
    end
  end
end
return best_s
