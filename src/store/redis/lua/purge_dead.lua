-- purge_dead.lua: deletes the dead jobs of a queue matching a filter.
-- uses: core observe limits leases jobs unique deps dead_letters
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV     the dead-letter filter (see _dead_letters.lua)
--
-- Each match: out of the dead index and its counter, its job hash deleted.
-- Returns { next cursor ("" when done), purged id, ... }. Safe to run twice.

read_opts(ARGV[2])
local out = { "" }
out[1] = scan_dead(function(id, li)
  later("ZREM", D_KEY, id)
  count(DQ, "x", li, -1)
  forget(id, redis.call("HMGET", job_key(id), unpack(FINISH_FIELDS)))
  out[#out + 1] = id
end)
flush()
return out
