-- enqueue.lua: stores new jobs atomically (all or none), idempotent on job ids.
-- uses: core jobs
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2..] items of 9 fields: id, name, queue, lane index (0..4), payload, runAt (epoch ms,
--           "" = none), delay (ms from now, "" = 0), maxAttempts, backoff (the job's own
--           backoff JSON, "" = none)
--
-- Returns one framed string (see frame() in _core.lua), 2 fields per item: created ("1" new,
-- "0" existed), state letter after the call.
-- A new job is due at runAt when given, else at now + delay; due after now => delayed (field r),
-- else waiting at the back of its lane (r absent: runAt = enqueuedAt = now). Publishes
-- P.."wake:"..queue once per queue that got a waiting job.
-- Every item is checked before anything is written, so a bad call changes nothing.
-- Idempotent: a replayed call finds its jobs and stores nothing (created "0").

set_now(ARGV[1])
check_items(2, 9, "enqueue")
for i = 2, #ARGV, 9 do
  local li = tonumber(ARGV[i + 3])
  if li == nil or li < 0 or li > 4 or li % 1 ~= 0 then
    error("sluice enqueue: bad lane " .. ARGV[i + 3])
  end
  if ARGV[i + 5] ~= "" and tonumber(ARGV[i + 5]) == nil then
    error("sluice enqueue: bad runAt " .. ARGV[i + 5])
  end
  if ARGV[i + 6] ~= "" and tonumber(ARGV[i + 6]) == nil then
    error("sluice enqueue: bad delay " .. ARGV[i + 6])
  end
  if tonumber(ARGV[i + 7]) == nil then error("sluice enqueue: bad maxAttempts " .. ARGV[i + 7]) end
end

local out = {}
for i = 2, #ARGV, 9 do
  local id, q, li = ARGV[i], ARGV[i + 2], ARGV[i + 3]
  local jk = job_key(id)
  local state = redis.call("HGET", jk, "s")
  if state then
    frame(out, "0")
  else
    register_queue(q)
    local due
    if ARGV[i + 5] ~= "" then
      due = tonumber(ARGV[i + 5])
    else
      due = NOW + tonumber(ARGV[i + 6] == "" and "0" or ARGV[i + 6])
    end
    state = due > NOW and "d" or "w"
    redis.call("HSET", jk, "n", ARGV[i + 1], "q", q, "l", li, "s", state, "d", ARGV[i + 4],
      "m", ARGV[i + 7], "e", NOW_S)
    if ARGV[i + 8] ~= "" then redis.call("HSET", jk, "bo", ARGV[i + 8]) end
    if state == "d" then
      local run_at = fmt(due)
      redis.call("HSET", jk, "r", run_at)
      enter_delayed(q, id, li, run_at)
    else
      enter_lane(q, id, li, false)
    end
    frame(out, "1")
  end
  frame(out, state)
end
flush()
return table.concat(out)
