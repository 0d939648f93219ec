-- get_schedules.lua: schedules as stored.
-- uses: core schedules
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV     schedule names; none: every schedule, by name
--
-- Returns a flat array, 2 entries per schedule: its name, its hash as a flat HGETALL array
-- (empty for a name with no schedule). Read-only.

local names = ARGV
if #names == 0 then names = redis.call("ZRANGE", P .. "crons", 0, -1) end
local out = {}
for _, name in ipairs(names) do
  out[#out + 1] = name
  out[#out + 1] = redis.call("HGETALL", schedule_key(name))
end
return out
