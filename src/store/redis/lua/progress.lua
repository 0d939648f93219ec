-- progress.lua: records what running jobs report of their progress.
-- uses: core observe limits leases jobs
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3..] items of 4 fields: id, token, percent (0-100), message (JSON text, "" = none)
--
-- Each active job holding that token gets fields pg (percent) and pm (message) and a
-- "progress" event. Returns one status digit per item: 0 OK, 1 NOT_FOUND, 2 LEASE_LOST.
-- Idempotent.

set_now(ARGV[1])
read_opts(ARGV[2])
check_items(3, 4, "progress")
local out = {}
for i = 3, #ARGV, 4 do
  local id = ARGV[i]
  local jk = job_key(id)
  local j = redis.call("HMGET", jk, "s", "t", "n", "q", "l", "a")
  local status = 0
  if not j[1] then
    status = 1
  elseif j[1] ~= "a" or j[2] ~= ARGV[i + 1] then
    status = 2
  else
    redis.call("HSET", jk, "pg", ARGV[i + 2])
    if ARGV[i + 3] ~= "" then
      redis.call("HSET", jk, "pm", ARGV[i + 3])
    else
      redis.call("HDEL", jk, "pm")
    end
    event("progress", id, j[3], j[4], j[5], (j[6] or "0") .. "\t" .. ARGV[i + 2] .. "\t"
      .. ARGV[i + 3])
  end
  out[#out + 1] = status
end
flush()
return table.concat(out)
