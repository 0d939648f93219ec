-- _observe.lua: what the scripts record for observers (needs _core.lua): job events, appended
-- to the namespace's stream P.."events" (one entry per script call, all its events in it), and
-- metrics aggregated per (queue, lane, function) into P.."m:"..minute (epoch minute, kept a
-- day) and P.."m:total" (since the namespace began). Both are off unless read_opts turns them on.
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
-- "entry id TAB its event count" per entry, oldest first, P.."events:n" their sum; the oldest
-- entries go once the sum passes the cap (never the newest one).

local OBSERVE = { events = 0, metrics = false }
local EVENTS = {}

-- Records one event line (see above); `rest`: its own fields, already joined by tabs, or nil.
local function event(kind, id, name, q, li, rest)
  if OBSERVE.events == 0 then return end
  local line = kind .. "\t" .. id .. "\t" .. (name or "") .. "\t" .. q .. "\t" .. li
  if rest then line = line .. "\t" .. rest end
  EVENTS[#EVENTS + 1] = line
end

-- Histogram bucket upper bounds in ms; a last bucket takes the rest.
local BUCKET_EDGES = { 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
  300000 }
local BUCKETS = #BUCKET_EDGES + 1
-- Counter slots of a group: outcomes, then run and wait counts and sums, then the buckets.
local SLOT = { completed = 1, failed = 2, dead = 3, cancelled = 4, requeued = 5, throttled = 6,
  run_n = 7, run_sum = 8, wait_n = 9, wait_sum = 10 }
local RUN_BUCKET0 = 10 -- run bucket i is slot RUN_BUCKET0 + i
local WAIT_BUCKET0 = RUN_BUCKET0 + BUCKETS
local SLOTS = WAIT_BUCKET0 + BUCKETS

local METRICS = {} -- group key "q\tli\tname" -> slots
local METRIC_LIST = {}

local function bucket_of(ms)
  for i, edge in ipairs(BUCKET_EDGES) do
    if ms <= edge then return i end
  end
  return BUCKETS
end

local function group(q, li, name)
  local key = q .. "\t" .. li .. "\t" .. (name or "")
  local g = METRICS[key]
  if not g then
    g = {}
    for i = 1, SLOTS do g[i] = 0 end
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
  g[SLOT[outcome]] = g[SLOT[outcome]] + 1
  if run_ms then
    if run_ms < 0 then run_ms = 0 end
    g[SLOT.run_n] = g[SLOT.run_n] + 1
    g[SLOT.run_sum] = g[SLOT.run_sum] + run_ms
    local b = RUN_BUCKET0 + bucket_of(run_ms)
    g[b] = g[b] + 1
  end
  if wait_ms then
    if wait_ms < 0 then wait_ms = 0 end
    g[SLOT.wait_n] = g[SLOT.wait_n] + 1
    g[SLOT.wait_sum] = g[SLOT.wait_sum] + wait_ms
    local b = WAIT_BUCKET0 + bucket_of(wait_ms)
    g[b] = g[b] + 1
  end
end

-- Adds group g to field key of hash h (its value: the slots as comma-separated numbers).
local function add_metrics(h, key, g)
  local old = redis.call("HGET", h, key)
  local sum = {}
  local i = 0
  if old then
    for n in string.gmatch(old, "[^,]+") do
      i = i + 1
      sum[i] = tonumber(n) + (g[i] or 0)
    end
  end
  for k = i + 1, SLOTS do sum[k] = g[k] end
  for k = 1, SLOTS do sum[k] = fmt(sum[k]) end
  redis.call("HSET", h, key, table.concat(sum, ","))
end

on_flush(function()
  if #EVENTS > 0 then
    local id = redis.call("XADD", P .. "events", "*", "t", NOW_S, "e", table.concat(EVENTS, "\n"))
    local sizes = P .. "events:sizes"
    redis.call("RPUSH", sizes, id .. "\t" .. #EVENTS)
    local over = redis.call("INCRBY", P .. "events:n", #EVENTS) - OBSERVE.events
    if over > 0 then
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
      add_metrics(minute, key, METRICS[key])
      add_metrics(P .. "m:total", key, METRICS[key])
    end
    redis.call("EXPIRE", minute, 90000)
  end
end)

-- The wait of an attempt that started at st: st - (runAt r, or enqueuedAt e), in ms.
local function wait_of(st, r, e)
  if not st then return nil end
  return tonumber(st) - tonumber(r or e or st)
end

-- Job id (function name, queue q, lane li) ended an attempt `attempt` (started at st, due at r
-- or e) completed.
local function observe_completed(id, name, q, li, attempt, st, r, e)
  local run = st and NOW - tonumber(st) or 0
  event("completed", id, name, q, li, attempt .. "\t" .. fmt(run))
  metric(q, li, name, "completed", run, wait_of(st, r, e))
end

-- Job id ended an attempt (or, st nil, never ran one) failed, leaving it in state (w or d:
-- retried, at retry_at; x dead; k cancelled) with error err (JSON text).
local function observe_failed(id, name, q, li, attempt, st, r, e, state, retry_at, err)
  local run = st and NOW - tonumber(st) or nil
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
