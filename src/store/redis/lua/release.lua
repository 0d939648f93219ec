-- release.lua: hands leased jobs back without spending their attempt.
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3..] items of 4 fields: id, token, delay (ms from now, "" = at once), throttle (ms, "" =
--           none: the handler asked its function, or its limit key, to slow down)
--
-- Each active job holding that token: cancellation requested => cancelled; a throttle pauses its
-- limit key (its lk, else its function name) until now + throttle on every node, and parks the
-- job first in that key's line; delay > 0 => delayed until now + delay; else back at the front
-- of its lane (publishes P.."wake:"..queue). A started job gets its attempt back (attempts - 1,
-- releases + 1) and the attempt goes to its history (outcome "cancelled" or "released"); a
-- prefetched job never started, so nothing is recorded.
-- Returns one status digit per item, as one string: 0 OK (also when the job is no longer active
-- but still has that token: the call was delivered twice), 1 NOT_FOUND, 2 LEASE_LOST.

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
check_items(3, 4, "release")
local out = {}
for i = 3, #ARGV, 4 do
  local id, delay, throttle = ARGV[i], ARGV[i + 2], tonumber(ARGV[i + 3])
  local j = redis.call("HMGET", job_key(id), "s", "t", "q", "l", "w", "p", "k", "a", "rl", "st",
    "n", "lk", "lc")
  local status = "0"
  if not j[1] then
    status = "1"
  elseif j[2] ~= ARGV[i + 1] then
    status = "2"
  elseif j[1] == "a" then
    local q, li = j[3], j[4]
    leave_active(q, id, li, j[5], j[6], j[12], j[13])
    local fields = {}
    if not j[6] then
      record_attempt(id, j[7] == "1" and "cancelled" or "released", j[8], j[10], j[5], nil)
      fields = { "a", fmt(tonumber(j[8] or "1") - 1), "rl", fmt(tonumber(j[9] or "0") + 1) }
    end
    if j[7] == "1" then
      observe_cancelled(id, j[11], q, li)
      finish(q, id, li, "k", keep, nil, unpack(fields))
    elseif throttle and throttle > 0 then
      local key = j[12] or j[11]
      local until_s = fmt(NOW + throttle)
      redis.call("HSET", P .. "pauses", key, until_s)
      redis.call("LPUSH", P .. "pk:" .. key, id)
      redis.call("HSET", job_key(id), "s", "w", "tl", key, unpack(fields))
      redis.call("ZADD", qkey(q, "parked"), NOW_S, id)
      count(q, "t", li, 1)
      redis.call("ZADD", P .. "parked", "GT", until_s, key)
      metric(q, li, j[11], "throttled")
    elseif delay ~= "" and tonumber(delay) > 0 then
      to_delayed(q, id, li, fmt(NOW + tonumber(delay)), unpack(fields))
    else
      to_waiting(q, id, li, true, unpack(fields))
    end
  end
  out[#out + 1] = status
end
flush()
return table.concat(out)
