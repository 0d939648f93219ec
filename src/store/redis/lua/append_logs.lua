-- append_logs.lua: stores log lines of jobs (ctx.log), keeping each job's newest lines.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  lines kept per job
-- ARGV[2..] items of 2 fields: job id, line (JSON text)
--
-- Appends each line to P.."log:"..id when the job exists (lines of a deleted job are dropped),
-- then trims to the newest ARGV[1] lines. Returns the number of lines stored. Not idempotent:
-- a call delivered twice stores its lines twice (logs are best effort).

check_items(2, 2, "append_logs")
local keep = tonumber(ARGV[1])
local stored, touched = 0, {}
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call("EXISTS", job_key(id)) == 1 then
    redis.call("RPUSH", P .. "log:" .. id, ARGV[i + 1])
    touched[id] = true
    stored = stored + 1
  end
end
for id in pairs(touched) do redis.call("LTRIM", P .. "log:" .. id, -keep, -1) end
return stored
