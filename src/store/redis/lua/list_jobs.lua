-- list_jobs.lua: one page of the jobs of a queue in one state, oldest first.
-- uses: core
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  queue name
-- ARGV[2]  state letter: w (lanes in priority order, each front to back, then the jobs parked on
--          a limit by when they were parked, then id), d | c | x | k | b (by
--          score, then id), a (from the namespace's lease index, by deadline then id, only this
--          queue's); any other state lists nothing
-- ARGV[3]  lane index to list only, or "" for every lane
-- ARGV[4]  offset (jobs skipped)
-- ARGV[5]  limit (jobs returned at most)
--
-- Returns { more (1 when jobs follow this page, else 0), id, job hash as flat HGETALL, lease
-- deadline ("" unless active), number of dependents, ... }.
-- Read-only.

local q, state, lane = ARGV[1], ARGV[2], ARGV[3]
local offset, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local INDEX = { d = "delayed", c = "completed", x = "dead", k = "cancelled", b = "blocked" }
local ids = {}
local deadlines = {}
local total = 0

-- Walks index `key` (a zset) in chunks, keeping the members that `keep(id, score)` accepts,
-- until one past the page is found.
local function walk(key, keep)
  local chunk, start = 500, 0
  while total <= offset + limit do
    local batch = redis.call("ZRANGE", key, start, start + chunk - 1, "WITHSCORES")
    if #batch == 0 then break end
    for k = 1, #batch, 2 do
      local id = batch[k]
      if keep(id) then
        if total >= offset and total < offset + limit then
          ids[#ids + 1] = id
          deadlines[id] = batch[k + 1]
        end
        total = total + 1
        if total > offset + limit then break end
      end
    end
    start = start + chunk
  end
end

local function in_lane(id)
  return redis.call("HGET", job_key(id), "l") == lane
end

if state == "w" then
  local first, last = 0, 4
  if lane ~= "" then
    first = tonumber(lane)
    last = first
  end
  local skip = offset
  for i = first, last do
    local key = lane_key(q, i)
    local len = redis.call("LLEN", key)
    total = total + len
    if skip >= len then
      skip = skip - len
    elseif #ids < limit then
      for _, id in ipairs(redis.call("LRANGE", key, skip, skip + limit - #ids - 1)) do
        ids[#ids + 1] = id
      end
      skip = 0
    end
  end
  walk(qkey(q, "parked"), lane == "" and function() return true end or in_lane)
elseif state == "a" then
  walk(P .. "leases", function(id)
    local j = redis.call("HMGET", job_key(id), "q", "l")
    return j[1] == q and (lane == "" or j[2] == lane)
  end)
elseif INDEX[state] then
  local key = qkey(q, INDEX[state])
  if lane == "" then
    total = redis.call("ZCARD", key)
    for _, id in ipairs(redis.call("ZRANGE", key, offset, offset + limit - 1)) do
      ids[#ids + 1] = id
    end
  else
    walk(key, in_lane)
  end
end

local out = { offset + limit < total and 1 or 0 }
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call("HGETALL", job_key(id))
  out[#out + 1] = state == "a" and deadlines[id] or ""
  out[#out + 1] = redis.call("ZCARD", P .. "dep:" .. id)
end
return out
