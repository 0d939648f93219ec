-- get_job.lua: one job as stored.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  job id
--
-- Returns { job hash as flat HGETALL, lease deadline (from P.."leases"; "" when not leased) }.
-- Read-only.

local id = ARGV[1]
return { redis.call("HGETALL", job_key(id)), redis.call("ZSCORE", P .. "leases", id) or "" }
