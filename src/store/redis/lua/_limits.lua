-- _limits.lua: rate and concurrency limits (needs _core.lua and _observe.lua; _jobs.lua uses it).
-- Mirrors src/store/memory/limits.ts.
--   P.."limits"     hash    function name -> "rateMax,rateDurationMs,concurrencyMax,perKey" (0 =
--                           none; perKey "1": the job's lk carries its key)
--   P.."rw:"..lk    list    start times of the limit key's newest starts, newest first (at most
--                           rateMax of them)
--   P.."ca:"..lk    string  the key's leases that count against its concurrency
--   P.."pk:"..lk    list    jobs parked on the key (waiting for it to open), in line order
--   P.."parked"     zset    key -> when it may start jobs again (+inf: when one of its leases
--                           ends)
--   P.."pauses"     hash    key -> until (a handler asked its function to slow down)
--   qkey(q, "parked") zset  the queue's parked jobs, score = when parked (for listings)
-- A limit key is a function name, name.."|"..key for a function limited per key, or "@"..queue
-- for a queue's rate limit. Job fields: lk (its limit key, when its function has limits), lc
-- ("1": its lease counts against lk's concurrency), tl (the key it is parked on).

local LIMIT_CFG = {} -- function name -> { rmax, rdur, cmax } or false
local LIMIT_STATE = {} -- key -> its state in this call (see limit_state)
local LIMIT_LIST = {}
local PAUSES = nil
local PARK_SEEN = {} -- key -> true: its opening time is written at flush
local PARK_LIST = {} -- their states

-- The keys paused by handlers, until when (read once a call; lapsed ones dropped).
local function pauses()
  if PAUSES == nil then
    PAUSES = {}
    local r = redis.call("HGETALL", P .. "pauses")
    for k = 1, #r, 2 do
      local until_ms = tonumber(r[k + 1])
      if until_ms > NOW then
        PAUSES[r[k]] = until_ms
      else
        redis.call("HDEL", P .. "pauses", r[k])
      end
    end
  end
  return PAUSES
end

-- The limits of function `name`, or false.
local function limit_config(name)
  local c = LIMIT_CFG[name]
  if c == nil then
    local v = redis.call("HGET", P .. "limits", name)
    c = false
    if v then
      local rmax, rdur, cmax = string.match(v, "^(%d+),(%d+),(%d+),")
      c = { rmax = tonumber(rmax), rdur = tonumber(rdur), cmax = tonumber(cmax) }
    end
    LIMIT_CFG[name] = c
  end
  return c
end

-- The state of limit key `key` under `cfg` (false: none) in this call: starts and leases it may
-- still give (rate_left, conc_left), its recent start times, what this call took.
local function limit_state(key, cfg)
  local st = LIMIT_STATE[key]
  if st then return st end
  st = { key = key, cfg = cfg, rate_left = math.huge, conc_left = math.huge, times = {},
    starts = 0, leases = 0, moved = 0 }
  if cfg and cfg.rmax > 0 then
    st.times = redis.call("LRANGE", P .. "rw:" .. key, 0, cfg.rmax - 1)
    local recent = 0
    for _, t in ipairs(st.times) do
      if tonumber(t) > NOW - cfg.rdur then recent = recent + 1 end
    end
    st.rate_left = cfg.rmax - recent
  end
  if cfg and cfg.cmax > 0 then
    st.conc_left = cfg.cmax - tonumber(redis.call("GET", P .. "ca:" .. key) or "0")
  end
  local pause = pauses()[key]
  if pause then
    st.rate_left = 0
    st.paused = pause
  end
  LIMIT_STATE[key] = st
  LIMIT_LIST[#LIMIT_LIST + 1] = st
  return st
end

-- When key state st may start its parked jobs again, as the call ends: nil when only a lease
-- ending can open it (its concurrency is spent), a pause's end, or when its window admits one
-- more start than the jobs it moved back to their lanes and that did not start yet (pending).
-- When those already take the whole window, one window from now (a re-check, not a spin).
local function open_time(st)
  local pending = math.max(st.moved - st.starts, 0)
  if st.conc_left - pending <= 0 then return nil end
  if st.paused then return st.paused end
  if st.rate_left - pending > 0 or not st.cfg or st.cfg.rmax == 0 then return NOW end
  local k = st.cfg.rmax - pending
  if k <= st.starts then return NOW + st.cfg.rdur end
  local t = st.times[k - st.starts]
  return t and tonumber(t) + st.cfg.rdur or NOW
end

-- The limit a job (function name, limit key lk or nil) waits on now: its state, or nil when
-- the job may start.
local function limit_blocking(name, lk)
  if not lk then
    if not pauses()[name] then return nil end
    return limit_state(name, false)
  end
  local st = limit_state(lk, limit_config(name))
  if st.rate_left > 0 and st.conc_left > 0 then return nil end
  return st
end

-- A job of limit key state st starts (leased): counted at flush. Returns true when its lease
-- counts against the key's concurrency (the job's lc field).
local function limit_take(st)
  st.rate_left = st.rate_left - 1
  st.conc_left = st.conc_left - 1
  st.starts = st.starts + 1
  if st.cfg and st.cfg.cmax > 0 then
    st.leases = st.leases + 1
    return true
  end
  return false
end

-- Marks key st to be given its next opening time in P.."parked" as the call ends (flush).
local function park_open(st)
  if not PARK_SEEN[st.key] then
    PARK_SEEN[st.key] = true
    PARK_LIST[#PARK_LIST + 1] = st
  end
end

-- Parks job id (queue q, lane li, function name) on key state st: out of its lane (the caller
-- took it from the head), into the key's parked list, counted as waiting ("t").
local function park(q, li, id, name, st)
  later("RPUSH", P .. "pk:" .. st.key, id)
  redis.call("HSET", job_key(id), "tl", st.key)
  redis.call("ZADD", qkey(q, "parked"), NOW_S, id)
  count(q, "t", li, 1)
  metric(q, li, name, "throttled")
  park_open(st)
end

-- A lease of key lk (a job of queue q) that counted against its concurrency ended: the slot is
-- free again, and the key's parked jobs are looked at at once: q and the queue of the first
-- parked job (which may be another) are woken.
local function limit_release(q, lk)
  redis.call("DECR", P .. "ca:" .. lk)
  local head = redis.call("LINDEX", P .. "pk:" .. lk, 0)
  if head then
    redis.call("ZADD", P .. "parked", NOW_S, lk)
    wake(q)
    local hq = redis.call("HGET", job_key(head), "q")
    if hq then wake(hq) end
  end
end

-- Moves the jobs parked on keys that opened back to the front of their lanes, as many as each
-- key may start now, at once (a reserve reads the lanes next). A queue key only wakes its queue.
local function unpark()
  local keys = redis.call("ZRANGEBYSCORE", P .. "parked", "-inf", NOW_S, "LIMIT", "0", "100")
  for _, key in ipairs(keys) do
    if string.sub(key, 1, 1) == "@" then
      redis.call("ZREM", P .. "parked", key)
    else
      local st = limit_state(key, limit_config(string.match(key, "^[^|]+")))
      local pk = P .. "pk:" .. key
      local left = redis.call("LLEN", pk)
      local n = math.min(st.rate_left, st.conc_left, left)
      if n > 0 then
        st.moved = st.moved + n
        left = left - n
        local by_lane, lanes = {}, {}
        for _, id in ipairs(redis.call("LPOP", pk, n)) do
          local j = redis.call("HMGET", job_key(id), "q", "l")
          redis.call("HDEL", job_key(id), "tl")
          redis.call("ZREM", qkey(j[1], "parked"), id)
          count(j[1], "t", j[2], -1)
          local lane = j[1] .. "\0" .. j[2]
          if not by_lane[lane] then
            by_lane[lane] = {}
            lanes[#lanes + 1] = { q = j[1], li = j[2], key = lane }
          end
          local list = by_lane[lane]
          list[#list + 1] = id
        end
        for _, lane in ipairs(lanes) do
          local list = by_lane[lane.key]
          for i = #list, 1, -1 do redis.call("LPUSH", lane_key(lane.q, lane.li), list[i]) end
          ready(lane.q)
        end
      end
      if left > 0 then
        park_open(st)
      else
        redis.call("ZREM", P .. "parked", key)
      end
    end
  end
end

-- @load
on_flush(function()
  for _, st in ipairs(LIMIT_LIST) do
    if st.starts > 0 and st.cfg and st.cfg.rmax > 0 then
      local key = P .. "rw:" .. st.key
      local stamps = {}
      for i = 1, st.starts do stamps[i] = NOW_S end
      redis.call("LPUSH", key, unpack(stamps))
      redis.call("LTRIM", key, 0, st.cfg.rmax - 1)
    end
    if st.leases > 0 then redis.call("INCRBY", P .. "ca:" .. st.key, st.leases) end
  end
  for _, st in ipairs(PARK_LIST) do
    local open = open_time(st)
    redis.call("ZADD", P .. "parked", open and fmt(open) or "+inf", st.key)
  end
end)
