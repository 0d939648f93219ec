-- fail.lua: records failed attempts of leased jobs.
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3..] items of 4 fields: id, token, error (JSON text), retry delay (ms from now, "" =
--           dead-letter)
--
-- Returns one framed string (see frame() in _core.lua), 2 fields per item: status digit, state
-- letter ("" when not found).
--   1 NOT_FOUND; 2 LEASE_LOST with the job's state (token is not the job's);
--   0 OK with the state when the job is not active but has that token (delivered twice);
--   0 OK after the transition: cancelled (cancellation was requested), dead (no retry delay),
--   delayed (delay > 0: runAt = now + delay), or waiting at the back of its lane (runAt = now,
--   publishes P.."wake:"..queue). A transition appends the attempt to the job's history
--   (outcome "cancelled" or "failed", with the error). A prefetched job failed without `start`
--   spends its attempt now.

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
check_items(3, 4, "fail")
local out = {}
for i = 3, #ARGV, 4 do
  local id, retry = ARGV[i], ARGV[i + 3]
  local j = redis.call("HMGET", job_key(id), "s", "t", "q", "l", "w", "p", "k", "a", "st", "n",
    "r", "e", "lk", "lc", unpack(FINISH_FIELDS))
  local o = { j[10], j[11], j[12] }
  local f = { j[15], j[16], j[17], j[18], j[19] }
  local state = j[1]
  local status = 0
  if not state then
    status = 1
    state = ""
  elseif j[2] ~= ARGV[i + 1] then
    status = 2
  elseif state == "a" then
    local q, li, err = j[3], j[4], ARGV[i + 2]
    leave_active(q, id, li, j[5], j[6], j[13], j[14])
    local attempts = fmt(tonumber(j[8] or "0") + (j[6] and 1 or 0))
    if j[6] then job_started(id, f[1], f[2]) end
    record_attempt(id, j[7] == "1" and "cancelled" or "failed", attempts, j[9], j[5], err)
    local retry_at = nil
    if j[7] == "1" then
      state = "k"
    elseif retry == "" then
      state = "x"
    elseif tonumber(retry) > 0 then
      state = "d"
      retry_at = fmt(NOW + tonumber(retry))
    else
      state = "w"
      retry_at = NOW_S
    end
    observe_failed(id, o[1], q, li, attempts, j[9], o[2], o[3], state, retry_at, err)
    if state == "k" or state == "x" then
      finish(q, id, li, state, keep, f, "er", err, "a", attempts)
    elseif state == "d" then
      to_delayed(q, id, li, retry_at, "er", err, "a", attempts)
    else
      to_waiting(q, id, li, false, "r", NOW_S, "er", err, "a", attempts)
    end
  end
  frame(out, tostring(status))
  frame(out, state)
end
flush()
return table.concat(out)
