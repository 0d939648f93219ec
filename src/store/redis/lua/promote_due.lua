-- promote_due.lua: moves due delayed jobs (runAt <= now) to the back of their lanes.
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  limit (jobs in all)
-- ARGV[3..] queue names, in order
--
-- Only queues whose P.."due" entry is due are looked at. Returns the number of jobs moved;
-- publishes P.."wake:"..queue for each queue that got some. Safe to run twice.

set_now(ARGV[1])
local limit = tonumber(ARGV[2])
local moved = 0
if #ARGV < 3 then return 0 end
local due = redis.call("ZMSCORE", P .. "due", unpack(ARGV, 3))
for k = 3, #ARGV do
  local at = due[k - 2]
  if moved < limit and at and tonumber(at) <= NOW then
    moved = moved + promote(ARGV[k], limit - moved)
  end
end
flush()
return moved
