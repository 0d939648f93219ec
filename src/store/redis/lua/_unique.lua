-- _unique.lua: unique locks (needs _core.lua and _jobs.lua). P.."u:"..key holds the id of the
-- job holding the key, or "<until>\n<id>" for a window that lapses at epoch ms `until` (its TTL
-- is only for clean-up: the value decides). A job's own fields uk (key) and us (scope: q
-- queued, a active, c until-complete, or the window in ms) say which lock it holds.
-- Mirrors src/store/memory/uniqueness.ts.

local function lock_key(key)
  return P .. "u:" .. key
end

-- The job holding key at NOW, and its state; nil when the key is free (no lock, a lapsed
-- window, or a holder that no longer exists or no longer has the key).
local function lock_holder(key)
  local v = redis.call("GET", lock_key(key))
  if not v then return nil end
  local until_s, id = string.match(v, "^(%d+)\n(.*)$")
  if until_s then
    if tonumber(until_s) <= NOW then return nil end
    local s = redis.call("HGET", job_key(id), "s")
    if not s then return nil end
    return id, s
  end
  local j = redis.call("HMGET", job_key(v), "s", "uk")
  if not j[1] or j[2] ~= key then return nil end
  return v, j[1]
end

-- The stored scope letter (or window) of a scope as enqueue passes it.
local function scope_field(scope)
  if scope == "queued" then return "q" end
  if scope == "active" then return "a" end
  if scope == "until-complete" then return "c" end
  return scope
end

-- Takes key for job id under scope field us.
local function take_lock(key, us, id)
  local window = tonumber(us)
  if window then
    redis.call("SET", lock_key(key), fmt(NOW + window) .. "\n" .. id, "PX",
      math.floor(window) + 60000)
  else
    redis.call("SET", lock_key(key), id)
  end
end

-- Deletes key when job id holds it.
local function drop_lock(key, id)
  if redis.call("GET", lock_key(key)) == id then redis.call("DEL", lock_key(key)) end
end

-- Whether scope us lets its key go at event (a state letter, or "s" for started).
local function unique_releases(us, event)
  if us == "q" then return true end
  if us == "a" then return event ~= "s" end
  if us == "c" then return event == "c" or event == "x" end
  return false
end

-- @load
on_start(function(id, uk, us)
  if unique_releases(us, "s") then drop_lock(uk, id) end
end)

-- @load
on_finish(function(q, id, li, state, keep, f)
  if f[1] and unique_releases(f[2], state) then drop_lock(f[1], id) end
end)

-- @load
on_forget(function(id, f)
  if f[1] and not tonumber(f[2]) then drop_lock(f[1], id) end
end)
