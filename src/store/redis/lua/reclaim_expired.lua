-- reclaim_expired.lua: handles active jobs whose lease deadline is <= now, in every queue
-- (queues in creation order, jobs in (deadline, id) order), at most `limit` jobs in all.
--
-- KEYS[1]  namespace prefix P (queue keys are built from it and P.."queues", see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  retention "keepFinished,keepDead" (see read_keep() in _lib.lua)
-- ARGV[3]  limit
-- ARGV[4..6]  the stalled-error JSON in three parts:
--             ARGV[4]..attempts..ARGV[5]..maxAttempts..ARGV[6]
--
-- Each job (stall() in _lib.lua, shared with reap_dead_nodes.lua): stalls + 1; cancellation
-- requested => cancelled; attempts >= maxAttempts => dead with
-- the stalled error; else back in its lane at its original seq (waitingSince = now, publishes
-- P.."wake:"..queue) with its token cleared, so the old holder's later calls are refused.
-- Returns { requeued ids, dead ids (cancelled ones included) }.

set_now(ARGV[1])
local keep = read_keep(ARGV[2])
local limit = tonumber(ARGV[3])
local err = { ARGV[4], ARGV[5], ARGV[6] }
local requeued, dead = {}, {}
local done = 0
for _, q in ipairs(redis.call("ZRANGE", P .. "queues", 0, -1)) do
  if done >= limit then break end
  local active = qkey(q, "active")
  local ids = redis.call("ZRANGEBYSCORE", active, "-inf", NOW_S, "LIMIT", 0, limit - done)
  for _, id in ipairs(ids) do
    if stall(q, id, keep, err) then
      requeued[#requeued + 1] = id
    else
      dead[#dead + 1] = id
    end
    done = done + 1
  end
end
flush()
return { requeued, dead }
