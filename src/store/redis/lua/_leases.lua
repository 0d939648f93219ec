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
local HELD_KEYS = {} -- worker -> P.."hs:"..worker (built once per call)

-- The set of the jobs leased to worker (started and prefetched), plus the index pin below. A set,
-- not a zset: a hash table's insert and removal cost about half a skiplist's, and its readers
-- (reaping a dead node, replaying a reserve) need no order. Builds before this one kept a zset
-- under P.."held:"..worker: reap_dead_nodes.lua and deregister_node.lua clear those too.
local function held_key(worker)
  local key = HELD_KEYS[worker]
  if not key then
    key = P .. "hs:" .. worker
    HELD_KEYS[worker] = key
  end
  return key
end

-- The lease indexes stay in hash table and skiplist encodings. Small sets and zsets are kept as
-- a listpack, where every insert scans and compares the members (and the lease indexes take one
-- per leased job): one member longer than set-max-listpack-value or zset-max-listpack-value (64
-- by default) converts them for good. INDEX_PIN is that member (scored +inf in P.."leases": never
-- due): no job id (ids hold no spaces); the readers of these indexes skip it.
local INDEX_PIN = "index pin: keeps this zset a skiplist, whose inserts do not scan every member"
local PINNED = {}

local function pin_index(key, cmd)
  if not PINNED[key] then
    PINNED[key] = true
    if cmd == "SADD" then
      later("SADD", key, INDEX_PIN)
    else
      later("ZADD", key, "+inf", INDEX_PIN)
    end
  end
end

-- The ids of the jobs held by node (its held set and, from an older build, its held zset),
-- without the index pin, each once, in byte order. While builds of both kinds share a Redis, each
-- takes a job out of its own kind of index only (a steal, a reclaim across builds), so an id
-- here may be one the node no longer holds: readers check the job's lease (held_now).
local function held_ids(node)
  local ids, seen = {}, {}
  for _, id in ipairs(redis.call("SMEMBERS", held_key(node))) do
    if id ~= INDEX_PIN then
      seen[id] = true
      ids[#ids + 1] = id
    end
  end
  for _, id in ipairs(redis.call("ZRANGEBYSCORE", P .. "held:" .. node, 0, 0)) do
    if not seen[id] then ids[#ids + 1] = id end
  end
  table.sort(ids, id_before)
  return ids
end

-- Whether job id is active and leased to node now.
local function held_now(id, node)
  local j = redis.call("HMGET", job_key(id), "s", "w")
  return j[1] == "a" and j[2] == node
end

-- Leases job id to worker until deadline (text): state active, startedAt now, token; indexed in
-- P.."leases" (by deadline) and the worker's held set, both pinned (pin_index). `...`: more job
-- fields to set.
local function lease(id, worker, token, deadline, ...)
  redis.call("HSET", job_key(id), "s", "a", "st", NOW_S, "w", worker, "t", token, ...)
  local held = held_key(worker)
  pin_index(LEASES_KEY)
  pin_index(held, "SADD")
  later("ZADD", LEASES_KEY, deadline, id)
  later("SADD", held, id)
end

-- Takes an active job (queue q, lane li, leased to worker; pf = its p field) out of the lease
-- indexes and the active count; a prefetched one also out of the prefetch index; a lease that
-- counted against its limit key lk's concurrency (lc "1") gives its slot back.
local function leave_active(q, id, li, worker, pf, lk, lc)
  later("ZREM", LEASES_KEY, id)
  later("SREM", held_key(worker), id)
  count(q, "a", li, -1)
  if pf then unprefetch(q, id, worker) end
  if lc then
    redis.call("HDEL", job_key(id), "lc")
    limit_release(q, lk)
  end
end
