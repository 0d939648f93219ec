-- configure_limits.lua: sets or removes the rate and concurrency limits of functions, for every
-- node. Mirrors configureFunctions in src/store/memory/limits.ts.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2..] pairs: function name, its limits "rateMax,rateDurationMs,concurrencyMax,perKey" (0 =
--           none; perKey "1" or "0"; "" = the function has no limits)
--
-- When a function's limits change, the jobs parked on its keys are looked at again at once (their
-- keys become due in P.."parked") and every queue's nodes are woken.
-- Returns the number of functions whose limits changed.
-- Idempotent: the same call twice changes nothing the second time.

set_now(ARGV[1])
check_items(2, 2, "configure_limits")
local changed, n = {}, 0
for i = 2, #ARGV, 2 do
  local name, limits = ARGV[i], ARGV[i + 1]
  if limits ~= "" and not string.match(limits, "^%d+,%d+,%d+,[01]$") then
    error("sluice configure_limits: bad limits " .. limits)
  end
  if (redis.call("HGET", P .. "limits", name) or "") ~= limits then
    if limits == "" then
      redis.call("HDEL", P .. "limits", name)
    else
      redis.call("HSET", P .. "limits", name, limits)
    end
    changed[name] = true
    n = n + 1
  end
end
if n > 0 then
  for _, key in ipairs(redis.call("ZRANGE", P .. "parked", 0, -1)) do
    if changed[string.match(key, "^[^|]+")] then redis.call("ZADD", P .. "parked", NOW_S, key) end
  end
  for _, q in ipairs(redis.call("ZRANGE", P .. "queues", 0, -1)) do wake(q) end
end
flush()
return n
