-- reclaim_expired.lua: handles active jobs whose lease deadline is <= now, in every queue
-- (queues in creation order, jobs in (deadline, id) order), at most `limit` jobs in all.
--
-- KEYS[1]  namespace prefix P (queue keys are built from it and P.."queues", see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  keepFinished: cancelled jobs kept per queue (the newest)
-- ARGV[3]  limit
-- ARGV[4..6]  the stalled-error JSON in three parts:
--             ARGV[4]..attempts..ARGV[5]..maxAttempts..ARGV[6]
--
-- Each job: stalls + 1; cancellation requested => cancelled; attempts >= maxAttempts => dead with
-- the stalled error; else back in its lane at its original seq (waitingSince = now, publishes
-- P.."wake:"..queue) with its token cleared, so the old holder's later calls are refused.
-- Returns { requeued ids, dead ids (cancelled ones included) }.

set_now(ARGV[1])
local keep = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local requeued, dead = {}, {}
local done = 0
for _, q in ipairs(redis.call("ZRANGE", P .. "queues", 0, -1)) do
  if done >= limit then break end
  local active = qkey(q, "active")
  local ids = redis.call("ZRANGEBYSCORE", active, "-inf", NOW_S, "LIMIT", 0, limit - done)
  for _, id in ipairs(ids) do
    local jk = job_key(id)
    local j = redis.call("HMGET", jk, "lane", "attempts", "maxAttempts", "cancelRequested", "seq",
      "stalls")
    local li = j[1]
    leave_active(q, id, li)
    local stalls = fmt(tonumber(j[6]) + 1)
    local attempts, max_attempts = tonumber(j[2]), tonumber(j[3])
    if j[4] == "1" then
      finish(q, id, li, "cancelled", keep, "stalls", stalls)
      dead[#dead + 1] = id
    elseif attempts >= max_attempts then
      local err = ARGV[4] .. fmt(attempts) .. ARGV[5] .. fmt(max_attempts) .. ARGV[6]
      finish(q, id, li, "dead", keep, "stalls", stalls, "error", err)
      dead[#dead + 1] = id
    else
      to_lane(q, id, li, tonumber(j[5]), "stalls", stalls, "token", "")
      requeued[#requeued + 1] = id
      wake(q)
    end
    done = done + 1
  end
end
flush()
return { requeued, dead }
