-- fail.lua: records failed attempts of leased jobs.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  retention "keepFinished,keepDead" (see read_keep() in _lib.lua)
-- ARGV[3..] items of 4 fields: id, token, error (JSON text), retryAt (epoch ms, "" = dead-letter)
--
-- Returns one framed string (see frame() in _lib.lua), 2 fields per item: status digit, state
-- ("" when not found).
--   1 NOT_FOUND; 2 LEASE_LOST with the job's state (token is not the job's);
--   0 OK with the state when the job is not active but has that token (delivered twice);
--   0 OK after the transition: cancelled (cancellation was requested), dead (retryAt ""),
--   delayed (retryAt > now, runAt = retryAt), or waiting at the end of its lane (runAt = now,
--   publishes P.."wake:"..queue). A transition appends the attempt to the job's history
--   (record_attempt() in _lib.lua: outcome "cancelled" or "failed", with the error).

set_now(ARGV[1])
local keep = read_keep(ARGV[2])
check_items(3, 4, "fail")
local out = {}
for i = 3, #ARGV, 4 do
  local id, retry = ARGV[i], ARGV[i + 3]
  local jk = job_key(id)
  local j = redis.call("HMGET", jk, "state", "token", "queue", "lane", "cancelRequested")
  local state = j[1]
  local status = 0
  if not state then
    status = 1
    state = ""
  elseif j[2] ~= ARGV[i + 1] then
    status = 2
  elseif state == "active" then
    local q, li, err = j[3], j[4], ARGV[i + 2]
    leave_active(q, id, li)
    record_attempt(id, j[5] == "1" and "cancelled" or "failed", err)
    if j[5] == "1" then
      state = "cancelled"
      finish(q, id, li, state, keep, "error", err)
    elseif retry == "" then
      state = "dead"
      finish(q, id, li, state, keep, "error", err)
    elseif tonumber(retry) > NOW then
      state = "delayed"
      redis.call("HSET", jk, "state", state, "runAt", retry, "error", err)
      later("ZADD", qkey(q, "delayed"), retry, id)
      count(q, state, li, 1)
    else
      state = "waiting"
      to_lane(q, id, li, next_seq(q), "runAt", NOW_S, "error", err)
      wake(q)
    end
  end
  frame(out, tostring(status))
  frame(out, state)
end
flush()
return table.concat(out)
