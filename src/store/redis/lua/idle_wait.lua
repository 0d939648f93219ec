-- idle_wait.lua: what an idle node needs to sleep: how long until the earliest delayed job of
-- the given queues is due, or a limit holding parked jobs opens (of any queue: reserve looks at
-- every opened limit), and whether another node holds prefetched jobs it might steal.
-- uses: core
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  the asking node
-- ARGV[3..] queue names
--
-- Reads P.."due" (a time no later than each queue's earliest delayed job; exact once a reserve
-- or promote_due looked at the queue), P.."parked" (when each limit key may start its parked
-- jobs again; +inf when only a lease ending opens it, which wakes the queue) and
-- P.."prefetched" (nodes holding prefetched jobs). Returns "wait TAB stealable": the wait in ms
-- (0 when due already; "" when nothing is due), and "1" when a node other than ARGV[2] holds
-- prefetched jobs, else "0".
-- Read-only.

set_now(ARGV[1])
local best = nil
if #ARGV >= 3 then
  for _, at in ipairs(redis.call("ZMSCORE", P .. "due", unpack(ARGV, 3))) do
    if at then
      local n = tonumber(at)
      if best == nil or n < best then best = n end
    end
  end
end
local open = redis.call("ZRANGE", P .. "parked", 0, 0, "WITHSCORES")
if open[2] and open[2] ~= "inf" then
  local n = tonumber(open[2])
  if best == nil or n < best then best = n end
end
local stealable = "0"
for _, node in ipairs(redis.call("ZRANGE", P .. "prefetched", 0, 1)) do
  if node ~= ARGV[2] then stealable = "1" end
end
return (best == nil and "" or fmt(math.max(best - NOW, 0))) .. "\t" .. stealable
