-- list_jobs.lua: one page of the jobs of a queue in one state, oldest first.
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _lib.lua)
-- ARGV[1]  queue name
-- ARGV[2]  state: waiting (lanes in priority order, then seq), delayed | active | completed |
--          cancelled | dead (by score, then id); any other state lists nothing
-- ARGV[3]  lane index to list only, or "" for every lane
-- ARGV[4]  offset (jobs skipped)
-- ARGV[5]  limit (jobs returned at most)
--
-- Returns { more (1 when jobs follow this page, else 0), id, job hash as flat HGETALL, ... }.

local q, state, lane = ARGV[1], ARGV[2], ARGV[3]
local offset, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local ids = {}
local total = 0

local function take(key, skip, n)
  if n <= 0 then return end
  for _, id in ipairs(redis.call("ZRANGE", key, skip, skip + n - 1)) do
    ids[#ids + 1] = id
  end
end

if state == "waiting" then
  local first, last = 0, 4
  if lane ~= "" then
    first = tonumber(lane)
    last = first
  end
  local skip = offset
  for i = first, last do
    local key = lane_key(q, i)
    local card = redis.call("ZCARD", key)
    total = total + card
    if skip >= card then
      skip = skip - card
    else
      take(key, skip, limit - #ids)
      skip = 0
    end
  end
elseif state == "delayed" or state == "active" or state == "completed" or state == "cancelled"
  or state == "dead" then
  local key = qkey(q, state)
  if lane == "" then
    total = redis.call("ZCARD", key)
    take(key, offset, limit)
  else
    -- Filtered by lane: walk the index until one job past the page is found.
    local chunk, start = 500, 0
    while total <= offset + limit do
      local batch = redis.call("ZRANGE", key, start, start + chunk - 1)
      if #batch == 0 then break end
      for _, id in ipairs(batch) do
        if redis.call("HGET", job_key(id), "lane") == lane then
          if total >= offset and total < offset + limit then ids[#ids + 1] = id end
          total = total + 1
          if total > offset + limit then break end
        end
      end
      start = start + chunk
    end
  end
end

local out = { offset + limit < total and 1 or 0 }
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call("HGETALL", job_key(id))
end
return out
