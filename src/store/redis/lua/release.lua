-- release.lua: hands leased jobs back without spending their attempt.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  retention "keepFinished,keepDead" (see read_keep() in _lib.lua)
-- ARGV[3..] items of 3 fields: id, token, runAt (epoch ms, "" = at once)
--
-- Each active job holding that token: attempts - 1, releases + 1; cancellation requested =>
-- cancelled; runAt > now => delayed until runAt; else back in its lane at its original seq
-- (waitingSince = now, publishes P.."wake:"..queue). The attempt is appended to the job's
-- history first (record_attempt() in _lib.lua: outcome "cancelled" or "released").
-- Returns one status digit per item, as one string: 0 OK (also when the job is no longer active
-- but still has that token: the call was delivered twice), 1 NOT_FOUND, 2 LEASE_LOST.

set_now(ARGV[1])
local keep = read_keep(ARGV[2])
check_items(3, 3, "release")
local out = {}
for i = 3, #ARGV, 3 do
  local id, run_at = ARGV[i], ARGV[i + 2]
  local jk = job_key(id)
  local j = redis.call("HMGET", jk, "state", "token", "queue", "lane", "cancelRequested",
    "attempts", "releases", "seq")
  local status = "0"
  if not j[1] then
    status = "1"
  elseif j[2] ~= ARGV[i + 1] then
    status = "2"
  elseif j[1] == "active" then
    local q, li = j[3], j[4]
    leave_active(q, id, li)
    record_attempt(id, j[5] == "1" and "cancelled" or "released", nil)
    local attempts = fmt(tonumber(j[6]) - 1)
    local releases = fmt(tonumber(j[7] or "0") + 1)
    if j[5] == "1" then
      finish(q, id, li, "cancelled", keep, "attempts", attempts, "releases", releases)
    elseif run_at ~= "" and tonumber(run_at) > NOW then
      redis.call("HSET", jk, "state", "delayed", "runAt", run_at, "attempts", attempts,
        "releases", releases)
      later("ZADD", qkey(q, "delayed"), run_at, id)
      count(q, "delayed", li, 1)
    else
      to_lane(q, id, li, tonumber(j[8]), "attempts", attempts, "releases", releases)
      wake(q)
    end
  end
  out[#out + 1] = status
end
flush()
return table.concat(out)
