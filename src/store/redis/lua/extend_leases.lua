-- extend_leases.lua: renews leases to now + leaseMs.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  lease length (ms)
-- ARGV[3..] items of 2 fields: id, token
--
-- Returns one status digit per item, as one string (e.g. "040"): 0 OK, 4 CANCEL_REQUESTED
-- (renewed, but cancellation was requested), 1 NOT_FOUND, 2 LEASE_LOST (not active, or the
-- token is not the job's). Idempotent.

set_now(ARGV[1])
local deadline = fmt(NOW + tonumber(ARGV[2]))
check_items(3, 2, "extend_leases")
local out = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local j = redis.call("HMGET", job_key(id), "s", "t", "k")
  local status
  if not j[1] then
    status = 1
  elseif j[1] ~= "a" or j[2] ~= ARGV[i + 1] then
    status = 2
  else
    later("ZADD", P .. "leases", deadline, id)
    status = j[3] == "1" and 4 or 0
  end
  out[#out + 1] = status
end
flush()
return table.concat(out)
