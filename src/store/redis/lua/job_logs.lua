-- job_logs.lua: the stored log lines of a job, oldest first.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  job id
--
-- Returns the lines (JSON text) of P.."log:"..id. Read-only.

return redis.call("LRANGE", P .. "log:" .. ARGV[1], 0, -1)
