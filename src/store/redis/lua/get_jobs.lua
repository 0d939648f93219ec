-- get_jobs.lua: many jobs as stored.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV     job ids
--
-- Returns per id: { job hash as flat HGETALL, lease deadline ("" when not leased), its number
-- of dependents }. Read-only.

local out = {}
for _, id in ipairs(ARGV) do
  out[#out + 1] = redis.call("HGETALL", job_key(id))
  out[#out + 1] = redis.call("ZSCORE", P .. "leases", id) or ""
  out[#out + 1] = redis.call("ZCARD", P .. "dep:" .. id)
end
return out
