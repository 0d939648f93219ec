-- _observe.lua: what the scripts record for observers (needs _core.lua): job events, appended
-- to the namespace's stream P.."events" (one entry per script call, all its events in it), and
-- metrics aggregated per (queue, lane, function) into P.."m:"..minute (epoch minute, kept a
-- day) and P.."m:total" (since the namespace began), one field per counter slot. Both are off
-- unless read_opts turns them on.
-- Mirrors src/store/memory/observe.ts; the formats are documented in src/store/observations.ts.
--
-- An event is one line: type TAB id TAB function TAB queue TAB lane index, then its own fields:
--   enqueued  state letter, runAt
--   active    attempt, worker, waitMs
--   completed attempt, durationMs
--   failed    attempt, durationMs, state letter after, retryAt ("" none), error JSON
--   cancelled (none)
--   requeued  (none)
--   progress  attempt, percent, message JSON ("" none)
-- A stream entry holds t = now and e = its lines joined by newlines. The stream keeps about
-- OBSERVE.events events (not entries: a bulk call's entry holds many): P.."events:sizes" lists
-- "entry id TAB its event count" per entry, oldest first, P.."events:n" their sum; once the sum
-- passes the cap by more than a sixteenth of it, the oldest entries go until it is back at the
-- cap (never the newest one).

local OBSERVE = { events = 0, metrics = false }
local EVENTS = {}
local EVENT_COUNT = 0 -- #EVENTS, kept here (# on a table is a search)

-- Records one event line (see above). Its own fields follow li, as text, up to three (a field
-- may hold several joined by tabs); the first nil ends them. Each line is one concatenation.
local function event(kind, id, name, q, li, a, b, c)
  if OBSERVE.events == 0 then return end
  local line
  name = name or ""
  if c then
    line = kind .. "\t" .. id .. "\t" .. name .. "\t" .. q .. "\t" .. li .. "\t" .. a .. "\t" .. b
      .. "\t" .. c
  elseif b then
    line = kind .. "\t" .. id .. "\t" .. name .. "\t" .. q .. "\t" .. li .. "\t" .. a .. "\t" .. b
  elseif a then
    line = kind .. "\t" .. id .. "\t" .. name .. "\t" .. q .. "\t" .. li .. "\t" .. a
  else
    line = kind .. "\t" .. id .. "\t" .. name .. "\t" .. q .. "\t" .. li
  end
  EVENT_COUNT = EVENT_COUNT + 1
  EVENTS[EVENT_COUNT] = line
end

-- Histogram bucket upper bounds in ms; a last bucket takes the rest.
-- @load
local BUCKET_EDGES = { 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
  300000 }
local BUCKETS = #BUCKET_EDGES + 1
-- Counter slots of a group: outcomes, then run and wait counts and sums (slots 7 to 10, used by
-- number in metric()), then the buckets. The counts (7 and 9) are not written: each is the sum
-- of its buckets, which the reader adds up (src/store/redis/metric_fields.ts).
-- @load
local SLOT = { completed = 1, failed = 2, dead = 3, cancelled = 4, requeued = 5, throttled = 6,
  run_n = 7, run_sum = 8, wait_n = 9, wait_sum = 10 }
local RUN_BUCKET0 = 10 -- run bucket i is slot RUN_BUCKET0 + i
local WAIT_BUCKET0 = RUN_BUCKET0 + BUCKETS

local METRICS = {} -- group key "q\tli\tname" -> its counts: slot -> delta, only slots touched
local METRIC_LIST = {}
local GROUPS = {} -- q -> li -> name -> the same counts as METRICS (no key text built per job)

-- The bucket (1 .. BUCKETS) of a duration in ms, by BUCKET_EDGES: comparisons unrolled into a
-- binary tree (a loop over the table costs several times more per job).
local function bucket_of(ms)
  if ms <= 250 then
    if ms <= 25 then
      if ms <= 5 then return 1 elseif ms <= 10 then return 2 else return 3 end
    elseif ms <= 50 then return 4 elseif ms <= 100 then return 5 else return 6 end
  elseif ms <= 5000 then
    if ms <= 500 then return 7 elseif ms <= 1000 then return 8 elseif ms <= 2500 then return 9 end
    return 10
  elseif ms <= 30000 then
    if ms <= 10000 then return 11 else return 12 end
  elseif ms <= 60000 then return 13 elseif ms <= 300000 then return 14 end
  return BUCKETS
end

local function group(q, li, name)
  name = name or ""
  local by_lane = GROUPS[q]
  if not by_lane then
    by_lane = {}
    GROUPS[q] = by_lane
  end
  if type(li) == "number" then li = itos(li) end
  local by_name = by_lane[li]
  if not by_name then
    by_name = {}
    by_lane[li] = by_name
  end
  local g = by_name[name]
  if not g then
    local key = q .. "\t" .. li .. "\t" .. name
    g = {}
    by_name[name] = g
    METRICS[key] = g
    METRIC_LIST[#METRIC_LIST + 1] = key
  end
  return g
end

-- Counts an outcome (a SLOT name) of a job of (q, li, name); run_ms and wait_ms, when given,
-- go to the run and wait histograms.
local function metric(q, li, name, outcome, run_ms, wait_ms)
  if not OBSERVE.metrics then return end
  local g = group(q, li, name)
  local slot = SLOT[outcome]
  g[slot] = (g[slot] or 0) + 1
  if run_ms then
    if run_ms < 0 then run_ms = 0 end
    local b = RUN_BUCKET0 + bucket_of(run_ms)
    g[8], g[b] = (g[8] or 0) + run_ms, (g[b] or 0) + 1
  end
  if wait_ms then
    if wait_ms < 0 then wait_ms = 0 end
    local b = WAIT_BUCKET0 + bucket_of(wait_ms)
    g[10], g[b] = (g[10] or 0) + wait_ms, (g[b] or 0) + 1
  end
end

-- Adds the counts g (slot -> delta) of group key to hash h: one field per slot, "key TAB slot",
-- added to with HINCRBY. Only the slots g touched are written: a few commands a group, where
-- reading and rewriting all the group's counters as one text (as before) cost several times more.
-- The two sums take HINCRBY too when their deltas are whole, a third of HINCRBYFLOAT's cost: on
-- Redis TIME they always are. Only a clock giving fractional milliseconds (an injected one) makes
-- a sum fractional; each later delta to it is then refused by HINCRBY (counted in Redis's error
-- stats) before HINCRBYFLOAT adds it. With `expiring`, h gets its expiry (a day and an hour) when
-- the group's outcome count was new in it: whenever the hash was, once per group, not at every
-- call.
local function add_metrics(h, key, g, expiring)
  for slot, delta in pairs(g) do
    local field = key .. "\t" .. itos(slot)
    if slot == SLOT.run_sum or slot == SLOT.wait_sum then
      local added = delta % 1 == 0 and redis.pcall("HINCRBY", h, field, fmt(delta))
      if type(added) ~= "number" then redis.call("HINCRBYFLOAT", h, field, fmt(delta)) end
    else
      local total = redis.call("HINCRBY", h, field, itos(delta))
      if expiring and slot < SLOT.run_n and total == delta then
        redis.call("EXPIRE", h, "90000")
        expiring = false
      end
    end
  end
end

-- @load
on_flush(function()
  if EVENT_COUNT > 0 then
    local id = redis.call("XADD", P .. "events", "*", "t", NOW_S, "e", table.concat(EVENTS, "\n"))
    local sizes = P .. "events:sizes"
    redis.call("RPUSH", sizes, id .. "\t" .. itos(EVENT_COUNT))
    local over = redis.call("INCRBY", P .. "events:n", itos(EVENT_COUNT)) - OBSERVE.events
    -- trimmed in steps of about a sixteenth of the cap, not at every call
    if over > math.floor(OBSERVE.events / 16) then
      local dropped = 0
      while dropped < over and redis.call("LLEN", sizes) > 1 do
        local n = string.match(redis.call("LPOP", sizes), "\t(%d+)$")
        dropped = dropped + tonumber(n)
      end
      local first = string.match(redis.call("LINDEX", sizes, 0), "^([^\t]+)")
      redis.call("XTRIM", P .. "events", "MINID", first)
      redis.call("INCRBY", P .. "events:n", -dropped)
    end
  end
  if #METRIC_LIST > 0 then
    local minute = P .. "m:" .. fmt(math.floor(NOW / 60000))
    for _, key in ipairs(METRIC_LIST) do
      add_metrics(minute, key, METRICS[key], true)
      add_metrics(P .. "m:total", key, METRICS[key], false)
    end
  end
end)

-- The wait of an attempt that started at st: st - (runAt r, or enqueuedAt e), in ms.
local function wait_of(st, r, e)
  if not st then return nil end
  return time_num(st) - time_num(r or e or st)
end

-- Job id (function name, queue q, lane li) ended an attempt `attempt` (started at st, due at r
-- or e) completed.
local function observe_completed(id, name, q, li, attempt, st, r, e)
  local run = st and NOW - time_num(st) or 0
  event("completed", id, name, q, li, attempt, fmt(run))
  metric(q, li, name, "completed", run, wait_of(st, r, e))
end

-- Job id ended an attempt (or, st nil, never ran one) failed, leaving it in state (w or d:
-- retried, at retry_at; x dead; k cancelled) with error err (JSON text).
local function observe_failed(id, name, q, li, attempt, st, r, e, state, retry_at, err)
  local run = st and NOW - time_num(st) or nil
  -- a line holds no tab or newline: JSON text keeps its meaning with them as spaces
  err = string.gsub(err or "", "[\t\n]", " ")
  event("failed", id, name, q, li, (attempt or "0") .. "\t" .. fmt(run or 0) .. "\t" .. state
    .. "\t" .. (retry_at or "") .. "\t" .. err)
  local outcome = "failed"
  if state == "x" then outcome = "dead" elseif state == "k" then outcome = "cancelled" end
  metric(q, li, name, outcome, run, wait_of(st, r, e))
  if state == "k" then event("cancelled", id, name, q, li) end
end

-- Job id was cancelled without running.
local function observe_cancelled(id, name, q, li)
  event("cancelled", id, name, q, li)
  metric(q, li, name, "cancelled")
end
