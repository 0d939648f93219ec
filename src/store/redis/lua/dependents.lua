-- dependents.lua: a page of the dependents of a job, in the order they were enqueued.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  job id
-- ARGV[2]  offset
-- ARGV[3]  limit
--
-- Returns the dependent ids (P.."dep:"..id by score). Read-only.

local from = tonumber(ARGV[2])
return redis.call("ZRANGE", P .. "dep:" .. ARGV[1], from, from + tonumber(ARGV[3]) - 1)
