-- list_dead.lua: one page of the dead jobs of a queue matching a filter, oldest first.
-- uses: core dead_letters
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV     the dead-letter filter (see _dead_letters.lua)
--
-- Returns { next cursor ("" when done), id, job hash as flat HGETALL, number of dependents,
-- ... }.
-- Read-only.

local out = { "" }
out[1] = scan_dead(function(id)
  out[#out + 1] = id
  out[#out + 1] = redis.call("HGETALL", job_key(id))
  out[#out + 1] = redis.call("ZCARD", P .. "dep:" .. id)
end)
return out
