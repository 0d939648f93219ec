-- enqueue.lua: stores new jobs atomically (all or none), idempotent on job ids.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2..] items of 8 fields: id, name, queue, lane index (0..4), payload, runAt, maxAttempts,
--           backoff (the job's own backoff JSON, "" = none)
--
-- Returns one framed string (see frame() in _lib.lua), 2 fields per item: created ("1" new,
-- "0" existed), state after the call.
-- A new job with runAt > now is delayed (runAt kept), else waiting at the end of its lane
-- (runAt = now). Publishes P.."wake:"..queue once per queue that got a new job.
-- Every item is checked before anything is written, so a bad call changes nothing.

set_now(ARGV[1])
check_items(2, 8, "enqueue")
for i = 2, #ARGV, 8 do
  local li = tonumber(ARGV[i + 3])
  if li == nil or li < 0 or li > 4 or li % 1 ~= 0 then
    error("sluice enqueue: bad lane " .. ARGV[i + 3])
  end
  if tonumber(ARGV[i + 5]) == nil then error("sluice enqueue: bad runAt " .. ARGV[i + 5]) end
  if tonumber(ARGV[i + 6]) == nil then error("sluice enqueue: bad maxAttempts " .. ARGV[i + 6]) end
end

local out = {}
for i = 2, #ARGV, 8 do
  local id, q, li, run_at = ARGV[i], ARGV[i + 2], ARGV[i + 3], ARGV[i + 5]
  local jk = job_key(id)
  local state = redis.call("HGET", jk, "state")
  if state then
    frame(out, "0")
  else
    register_queue(q)
    local delayed = tonumber(run_at) > NOW
    state = delayed and "delayed" or "waiting"
    local seq = "0"
    if delayed then
      later("ZADD", qkey(q, "delayed"), run_at, id)
      count(q, "delayed", li, 1)
    else
      seq = fmt(next_seq(q))
      later("ZADD", lane_key(q, li), seq, id)
    end
    redis.call("HSET", jk, "name", ARGV[i + 1], "queue", q, "lane", li, "state", state,
      "payload", ARGV[i + 4], "attempts", "0", "maxAttempts", ARGV[i + 6], "stalls", "0",
      "enqueuedAt", NOW_S, "runAt", delayed and run_at or NOW_S, "waitingSince", NOW_S, "seq", seq)
    if ARGV[i + 7] ~= "" then redis.call("HSET", jk, "backoff", ARGV[i + 7]) end
    wake(q)
    frame(out, "1")
  end
  frame(out, state)
end
flush()
return table.concat(out)
