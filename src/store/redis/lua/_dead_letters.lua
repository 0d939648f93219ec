-- _dead_letters.lua: the dead-letter scan of list_dead.lua, requeue_dead.lua and purge_dead.lua
-- (needs _core.lua). It mirrors scanDead() and matchesDead() of src/store/dead_letters.ts step
-- by step.
--
-- ARGV of those scripts (from src/store/redis/redis_store.ts):
-- ARGV[1]   now (epoch ms, "" = Redis TIME)
-- ARGV[2]   store options (see read_opts() in _jobs.lua; list_dead.lua ignores them)
-- ARGV[3]   queue
-- ARGV[4]   function name ("" = any)
-- ARGV[5]   error text the last error's "<name>: <message>" must contain ("" = any)
-- ARGV[6]   failed after: finishedAt >= this ("" = no bound)
-- ARGV[7]   failed before: finishedAt < this ("" = no bound)
-- ARGV[8,9] cursor: score (finishedAt) and id of the first job not examined yet ("" = start)
-- ARGV[10]  limit: matches per call
-- ARGV[11]  scan budget: dead jobs examined per call
-- ARGV[12..] job ids: only these (in this order; cursor, limit and budget do not apply)

set_now(ARGV[1])
local DQ = ARGV[3]
local D_NAME, D_TEXT = ARGV[4], ARGV[5]
local D_AFTER, D_BEFORE = tonumber(ARGV[6]), tonumber(ARGV[7])
local D_LIMIT, D_BUDGET = tonumber(ARGV[10]), tonumber(ARGV[11])
local D_KEY = qkey(DQ, "dead")
-- @load
local D_FIELDS = { "n", "er", "f", "s", "q", "l" }

-- The text D_TEXT is looked for in: "<name>: <message>" of the error JSON (a field that is not a
-- string counts as ""), or the raw text when it is not a JSON object or array.
local function dead_text(err)
  if not err then return "" end
  local ok, e = pcall(cjson.decode, err)
  if ok and type(e) == "table" then
    local name = type(e.name) == "string" and e.name or ""
    local message = type(e.message) == "string" and e.message or ""
    return name .. ": " .. message
  end
  return err
end

-- True when job fields j (D_FIELDS) meet the name, time and error criteria.
local function dead_matches(j)
  if D_NAME ~= "" and j[1] ~= D_NAME then return false end
  local at = tonumber(j[3] or "0")
  if D_AFTER and at < D_AFTER then return false end
  if D_BEFORE and at >= D_BEFORE then return false end
  return D_TEXT == "" or string.find(dead_text(j[2]), D_TEXT, 1, true) ~= nil
end

-- Calls visit(id, lane index) for each matching dead job of DQ. visit must not change D_KEY
-- before the scan ends (use later()). Returns the next cursor as "score:id", or "" when done.
local function scan_dead(visit)
  if #ARGV >= 12 then
    local seen = {} -- an id given twice is visited once
    for i = 12, #ARGV do
      if not seen[ARGV[i]] then
        seen[ARGV[i]] = true
        local j = redis.call("HMGET", job_key(ARGV[i]), unpack(D_FIELDS))
        if j[4] == "x" and j[5] == DQ and dead_matches(j) then visit(ARGV[i], j[6]) end
      end
    end
    return ""
  end
  local start = 0
  if D_AFTER then start = redis.call("ZCOUNT", D_KEY, "-inf", "(" .. ARGV[6]) end
  if ARGV[8] ~= "" then
    local score = redis.call("ZSCORE", D_KEY, ARGV[9])
    local at
    if score and tonumber(score) == tonumber(ARGV[8]) then
      at = redis.call("ZRANK", D_KEY, ARGV[9])
    else
      at = redis.call("ZCOUNT", D_KEY, "-inf", "(" .. ARGV[8])
    end
    start = math.max(start, at)
  end
  local examined, taken = 0, 0
  while true do
    local chunk = redis.call("ZRANGE", D_KEY, start, start + 499, "WITHSCORES")
    if #chunk == 0 then return "" end
    for k = 1, #chunk, 2 do
      local id, score = chunk[k], tonumber(chunk[k + 1])
      if D_BEFORE and score >= D_BEFORE then return "" end
      if taken >= D_LIMIT or examined >= D_BUDGET then return fmt(score) .. ":" .. id end
      examined = examined + 1
      local j = redis.call("HMGET", job_key(id), unpack(D_FIELDS))
      if dead_matches(j) then
        visit(id, j[6])
        taken = taken + 1
      end
    end
    start = start + #chunk / 2
  end
end
