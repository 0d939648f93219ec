-- next_due.lua: how long until the earliest delayed job of the given queues is due, or a limit
-- holding parked jobs opens (of any queue: reserve looks at every opened limit).
-- uses: core
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2..] queue names
--
-- Reads P.."due" (a time no later than each queue's earliest delayed job; exact once a reserve
-- or promote_due looked at the queue) and P.."parked" (when each limit key may start its parked
-- jobs again; +inf when only a lease ending opens it, which wakes the queue). Returns the wait in ms (0 when due already) as text, or
-- "" when no queue has a delayed job.
-- Read-only.

set_now(ARGV[1])
local best = nil
for _, at in ipairs(redis.call("ZMSCORE", P .. "due", unpack(ARGV, 2))) do
  if at then
    local n = tonumber(at)
    if best == nil or n < best then best = n end
  end
end
local open = redis.call("ZRANGE", P .. "parked", 0, 0, "WITHSCORES")
if open[2] and open[2] ~= "inf" then
  local n = tonumber(open[2])
  if best == nil or n < best then best = n end
end
if best == nil then return "" end
return fmt(math.max(best - NOW, 0))
