-- _lease_reply.lua: the reply of reserve.lua and steal.lua, and its replay (needs _core.lua,
-- _leases.lua and _jobs.lua).

-- The framed reply: the number of jobs leased started (they come first), the call's now, the
-- idle answer (idle_answer in _idle.lua; nil or "" = none), then out (7 fields per job, see
-- frame_lease in _jobs.lua).
local function lease_reply(started, out, idle)
  local head = {}
  frame(head, fmt(started))
  frame(head, NOW_S)
  frame(head, idle or "")
  return table.concat(head) .. table.concat(out)
end

-- The reply of a call delivered twice: the jobs still leased to worker under token_base (token
-- token_base.."."..n), in n order, as the first delivery leased them; the call's now is their
-- startedAt. Jobs that left the worker since (their lease expired) are not in it.
local function replay_leases(worker, token_base)
  local prefix = token_base .. "."
  local picks = {}
  for _, id in ipairs(held_ids(worker)) do
    local j = redis.call("HMGET", job_key(id), "n", "d", "a", "e", "r", "m", "sl", "rl", "bo",
      "pr", "uk", "us", "t", "q", "l", "p", "st")
    local token = j[13]
    if token and string.sub(token, 1, #prefix) == prefix then
      picks[#picks + 1] = { n = tonumber(string.sub(token, #prefix + 1)), id = id, j = j }
    end
  end
  table.sort(picks, function(a, b) return a.n < b.n end)
  local out, started = {}, 0
  for _, pick in ipairs(picks) do
    local j = pick.j
    local attempt = tonumber(j[3] or "0")
    if j[16] then
      attempt = attempt + 1
    else
      started = started + 1
    end
    NOW_S = j[17]
    frame_lease(out, pick.id, j[14], j[15], fmt(attempt), pick.n, j)
  end
  return lease_reply(started, out)
end
