-- read_metrics.lua: the aggregated metrics (see _observe.lua), in total and per minute.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  minutes: how many of the newest minutes (up to now) to read
--
-- Returns { HGETALL of P.."m:total", then per minute with metrics, oldest first: the epoch
-- minute, its HGETALL }. Read-only.

set_now(ARGV[1])
local last = math.floor(NOW / 60000)
local out = { redis.call("HGETALL", P .. "m:total") }
for minute = last - tonumber(ARGV[2]) + 1, last do
  local fields = redis.call("HGETALL", P .. "m:" .. fmt(minute))
  if #fields > 0 then
    out[#out + 1] = minute
    out[#out + 1] = fields
  end
end
return out
