-- _idle.lua: what an idle node needs to sleep (needs _core.lua): idle_wait.lua answers it alone,
-- reserve.lua with a lease reply that left slots free (so a node going idle asks once, not twice).

-- How long until the earliest delayed job of `queues` (a list of queue names) is due, or a limit
-- holding parked jobs opens (of any queue: reserve looks at every opened limit), and whether a
-- node other than `worker` holds prefetched jobs it might steal. Reads P.."due" (a time no later
-- than each queue's earliest delayed job; exact once a reserve or promote_due looked at the
-- queue), P.."parked" (when each limit key may start its parked jobs again; +inf when only a
-- lease ending opens it, which wakes the queue) and P.."prefetched" (nodes holding prefetched
-- jobs). Returns "wait TAB stealable": the wait in ms (0 when due already; "" when nothing is
-- due), then "1" or "0".
local function idle_answer(queues, worker)
  local best = nil
  if #queues > 0 then
    for _, at in ipairs(redis.call("ZMSCORE", P .. "due", unpack(queues))) do
      if at then
        local n = tonumber(at)
        if best == nil or n < best then best = n end
      end
    end
  end
  local open = redis.call("ZRANGE", P .. "parked", "0", "0", "WITHSCORES")
  if open[2] and open[2] ~= "inf" then
    local n = tonumber(open[2])
    if best == nil or n < best then best = n end
  end
  local stealable = "0"
  for _, node in ipairs(redis.call("ZRANGE", P .. "prefetched", "0", "1")) do
    if node ~= worker then stealable = "1" end
  end
  return (best == nil and "" or fmt(math.max(best - NOW, 0))) .. "\t" .. stealable
end
