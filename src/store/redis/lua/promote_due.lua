-- promote_due.lua: moves due delayed jobs (runAt <= now) into their lanes, each at a new seq.
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  limit (jobs in all)
-- ARGV[3..] queue names, in order
--
-- Returns the number of jobs moved; publishes P.."wake:"..queue for each queue that got some.

set_now(ARGV[1])
local limit = tonumber(ARGV[2])
local moved = 0
for i = 3, #ARGV do
  local q = ARGV[i]
  local n = promote(q, limit - moved)
  if n > 0 then wake(q) end
  moved = moved + n
end
flush()
return moved
