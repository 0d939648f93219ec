-- _leases.lua: the lease indexes of active jobs and the prefetch index (needs _core.lua and
-- _limits.lua): leasing a job, taking it out again, and ending its prefetched status. _jobs.lua
-- (stall) and the dispatch scripts build on it.

-- Prefetch index: P.."pf:"..q..":"..node lists the jobs of q leased to node unstarted (score =
-- prefetch order); P.."prefetched" ranks nodes by MINUS their prefetched count (absent at 0).
local function pf_key(q, node)
  return P .. "pf:" .. q .. ":" .. node
end

local function pf_count(node, delta)
  local key = P .. "prefetched"
  if tonumber(redis.call("ZINCRBY", key, -delta, node)) >= 0 then redis.call("ZREM", key, node) end
end

-- Ends the prefetched status of job id (queue q, leased to node): it is no longer stealable.
local function unprefetch(q, id, node)
  redis.call("HDEL", job_key(id), "p")
  redis.call("ZREM", pf_key(q, node), id)
  pf_count(node, -1)
end

local LEASES_KEY = P .. "leases"
local HELD_KEYS = {} -- worker -> P.."held:"..worker (built once per call)

local function held_key(worker)
  local key = HELD_KEYS[worker]
  if not key then
    key = P .. "held:" .. worker
    HELD_KEYS[worker] = key
  end
  return key
end

-- The lease indexes stay in skiplist encoding. Below 128 members Redis keeps a zset as a
-- listpack, where every ZADD scans and compares the members (and the lease indexes take one per
-- leased job): one member longer than zset-max-listpack-value (64 by default) converts a zset
-- for good. INDEX_PIN is that member, scored +inf: no job id (ids hold no spaces), never due;
-- the readers of these indexes skip it.
local INDEX_PIN = "index pin: keeps this zset a skiplist, whose inserts do not scan every member"
local PINNED = {}

local function pin_index(key)
  if not PINNED[key] then
    PINNED[key] = true
    later("ZADD", key, "+inf", INDEX_PIN)
  end
end

-- Leases job id to worker until deadline (text): state active, startedAt now, token; indexed in
-- P.."leases" (by deadline) and P.."held:"..worker (a zset, all scores 0: ids in byte order),
-- both pinned (pin_index). `...`: more job fields to set.
local function lease(id, worker, token, deadline, ...)
  redis.call("HSET", job_key(id), "s", "a", "st", NOW_S, "w", worker, "t", token, ...)
  local held = held_key(worker)
  pin_index(LEASES_KEY)
  pin_index(held)
  later("ZADD", LEASES_KEY, deadline, id)
  later("ZADD", held, 0, id)
end

-- Takes an active job (queue q, lane li, leased to worker; pf = its p field) out of the lease
-- indexes and the active count; a prefetched one also out of the prefetch index; a lease that
-- counted against its limit key lk's concurrency (lc "1") gives its slot back.
local function leave_active(q, id, li, worker, pf, lk, lc)
  later("ZREM", LEASES_KEY, id)
  later("ZREM", held_key(worker), id)
  count(q, "a", li, -1)
  if pf then unprefetch(q, id, worker) end
  if lc then
    redis.call("HDEL", job_key(id), "lc")
    limit_release(q, lk)
  end
end
