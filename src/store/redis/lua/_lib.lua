-- _lib.lua: helpers shared by every Sluice script. scripts.ts prepends this file to each script
-- at load time, so everything here is a local of the script's chunk.
--
-- KEYS[1] of every script is the namespace prefix P = "{sluice:NS}:". The scripts build the
-- other keys of the namespace from P (all of them share P's hash tag, so this stays legal on
-- Redis Cluster; BullMQ does the same):
--   P.."job:"..id                     hash  one job
--   P.."queues"                       zset  queue names, score = creation order
--   P.."q:"..q..":lane:"..i           zset  waiting jobs of lane i (0 critical .. 4 batch),
--                                           score seq
--   P.."q:"..q..":delayed"            zset  score runAt
--   P.."q:"..q..":active"             zset  score lease deadline
--   P.."q:"..q..":completed|cancelled|dead"  zset  score finishedAt
--   P.."q:"..q..":meta"               hash  paused, seq, vt, p0..p4, la, w0..w4, strict, aging
--   P.."q:"..q..":counts"             hash  "<state>:<lane index>" (every state but waiting)
--   P.."wake:"..q                     channel, published once per call per queue
--   P.."pf:"..q..":"..node            zset  jobs of q leased to node unstarted (prefetched),
--                                           score = prefetch order (from P.."pfseq")
--   P.."pfseq"                        string  counter of prefetch order
--   P.."prefetched"                   zset  node -> MINUS its prefetched count (all queues);
--                                           absent at 0. Ascending = busiest first, ties by id
--   P.."nodes"                        zset  node id -> expiresAt
--   P.."node:"..id                    hash  host pid queues(JSON) concurrency version
--                                           startedAt heartbeatAt expiresAt busy
--   P.."leader"                       hash  node token epoch expiresAt
--   P.."leader:epoch"                 string  fencing epoch counter (INCR only)
-- (queue names cannot hold ':', so "pf:"..q..":"..node is unambiguous.)
--
-- Job hash fields: name queue lane(index) state payload attempts maxAttempts stalls enqueuedAt
-- runAt startedAt finishedAt result error worker leaseDeadline cancelRequested("1") seq
-- waitingSince token prefetched("1") history (see record_attempt). A field that is absent is
-- null. leaseDeadline is left in place when a job leaves the active state and is read only while
-- the job is active (it is null otherwise). prefetched is present exactly while the job is
-- active, leased unstarted, and listed in P.."pf:"..queue..":"..worker; every exit from that
-- status goes through unprefetch() (leave_active() calls it).
--
-- Time: the caller passes its clock's `now` in ARGV (Redis TIME is never used).
-- Numbers: Lua numbers are doubles. Written numbers go through fmt() ("%.17g", exact for every
-- integer below 2^53), never tostring() or "..", which keep only 14 digits.
--
-- Status codes (src/job/status.ts): 0 OK, 1 NOT_FOUND, 2 LEASE_LOST, 3 WRONG_STATE,
-- 4 CANCEL_REQUESTED, 5 NOT_LEADER.

local P = KEYS[1]
local NOW_S = "0" -- set by each script from its ARGV
local NOW = 0

local function fmt(n)
  return string.format("%.17g", n)
end

local function set_now(s)
  NOW_S = s
  NOW = tonumber(s)
  if NOW == nil then error("sluice: now is not a number: " .. tostring(s)) end
end

local function job_key(id)
  return P .. "job:" .. id
end

local function qkey(q, suffix)
  return P .. "q:" .. q .. ":" .. suffix
end

local function lane_key(q, li)
  return P .. "q:" .. q .. ":lane:" .. li
end

-- Pending effects, applied once by flush() at the end of a script.
local COUNTS = {} -- queue -> { ["state:lane"] = delta }
local SEQS = {} -- queue -> latest seq handed out
local WAKE = {} -- queue -> true
local WAKE_LIST = {}
local REGISTERED = {}
local LATER = {} -- "CMD key" -> { cmd, key, args }: variadic writes sent in chunks by flush()
local LATER_LIST = {}
local CARDS = {} -- finished-state index key -> its size, once read

-- Queues a variadic write (ZADD key score member / ZREM key member) for flush(). Only for keys
-- the rest of the script does not read.
local function later(cmd, key, a, b)
  local k = cmd .. " " .. key
  local entry = LATER[k]
  if not entry then
    entry = { cmd = cmd, key = key, args = {} }
    LATER[k] = entry
    LATER_LIST[#LATER_LIST + 1] = entry
  end
  local args = entry.args
  args[#args + 1] = a
  if b ~= nil then args[#args + 1] = b end
end

-- Adds delta to the counter of (state, lane); waiting depth is the lane zset's size instead.
local function count(q, state, li, delta)
  if state == "waiting" then return end
  local t = COUNTS[q]
  if not t then
    t = {}
    COUNTS[q] = t
  end
  local f = state .. ":" .. li
  t[f] = (t[f] or 0) + delta
end

-- The next position in line of queue q.
local function next_seq(q)
  local s = SEQS[q]
  if s == nil then s = tonumber(redis.call("HGET", qkey(q, "meta"), "seq") or "0") end
  s = s + 1
  SEQS[q] = s
  return s
end

local function wake(q)
  if not WAKE[q] then
    WAKE[q] = true
    WAKE_LIST[#WAKE_LIST + 1] = q
  end
end

-- Adds q to the queue registry (score = creation order; queues are never removed).
local function register_queue(q)
  if REGISTERED[q] then return end
  REGISTERED[q] = true
  local key = P .. "queues"
  if not redis.call("ZSCORE", key, q) then
    redis.call("ZADD", key, redis.call("ZCARD", key) + 1, q)
  end
end

local function flush()
  for _, entry in ipairs(LATER_LIST) do
    local args = entry.args
    for i = 1, #args, 1000 do
      redis.call(entry.cmd, entry.key, unpack(args, i, math.min(i + 999, #args)))
    end
  end
  for q, t in pairs(COUNTS) do
    local key = qkey(q, "counts")
    for f, d in pairs(t) do
      if d ~= 0 then redis.call("HINCRBY", key, f, d) end
    end
  end
  for q, s in pairs(SEQS) do
    redis.call("HSET", qkey(q, "meta"), "seq", fmt(s))
  end
  for _, q in ipairs(WAKE_LIST) do
    redis.call("PUBLISH", P .. "wake:" .. q, "1")
  end
end

-- Puts job id in lane li of queue q at position seq (a number); `...` are more job fields to set.
local function to_lane(q, id, li, seq, ...)
  local s = fmt(seq)
  redis.call("HSET", job_key(id), "state", "waiting", "seq", s, "waitingSince", NOW_S, ...)
  redis.call("ZADD", lane_key(q, li), s, id)
end

-- The prefetched (leased, unstarted) jobs of queue q held by node.
local function pf_key(q, node)
  return P .. "pf:" .. q .. ":" .. node
end

-- Adds delta to node's prefetched count (kept negated in P.."prefetched", removed at 0).
local function pf_count(node, delta)
  local key = P .. "prefetched"
  if tonumber(redis.call("ZINCRBY", key, -delta, node)) >= 0 then redis.call("ZREM", key, node) end
end

-- Whether any job of the namespace is prefetched; read once per script (a stale true only costs
-- lookups), so namespaces that never prefetch pay one EXISTS per call, not a read per job.
local ANY_PREFETCHED = nil
local function any_prefetched()
  if ANY_PREFETCHED == nil then ANY_PREFETCHED = redis.call("EXISTS", P .. "prefetched") == 1 end
  return ANY_PREFETCHED
end

-- Ends the prefetched status of job id (queue q, leased to node): it is no longer stealable.
local function unprefetch(q, id, node)
  redis.call("HDEL", job_key(id), "prefetched")
  redis.call("ZREM", pf_key(q, node), id)
  pf_count(node, -1)
end

-- Takes an active job out of the active index (at flush time), and out of its node's prefetched
-- index when it was leased unstarted. pf, node: the job's prefetched and worker fields when the
-- caller read them (pf false = not prefetched); nil = look them up here.
local function leave_active(q, id, li, pf, node)
  later("ZREM", qkey(q, "active"), id)
  count(q, "active", li, -1)
  if pf == nil and any_prefetched() then
    local j = redis.call("HMGET", job_key(id), "prefetched", "worker")
    pf, node = j[1], j[2]
  end
  if pf then unprefetch(q, id, node) end
end

-- Moves a job to a final state at NOW (`...`: more job fields to set). Each finished index keeps
-- only the newest jobs (keep: see read_keep): older ones are deleted, one by one as in memory.
local function finish(q, id, li, state, keep, ...)
  redis.call("HSET", job_key(id), "state", state, "finishedAt", NOW_S, ...)
  count(q, state, li, 1)
  local index = qkey(q, state)
  local card = CARDS[index] or redis.call("ZCARD", index)
  card = card + redis.call("ZADD", index, NOW_S, id)
  local cap = keep.finished
  if state == "dead" then cap = keep.dead end
  while cap and card > cap do
    local popped = redis.call("ZPOPMIN", index)
    local old = job_key(popped[1])
    count(q, state, redis.call("HGET", old, "lane"), -1)
    redis.call("DEL", old)
    card = card - 1
  end
  CARDS[index] = card
end

-- Retention from its ARGV text "keepFinished,keepDead": the newest completed and cancelled jobs
-- kept per queue (each), and the newest dead ones. A bare number caps finished jobs only.
local function read_keep(s)
  local finished, dead = string.match(s or "", "^(%d+),(%d+)$")
  if finished then return { finished = tonumber(finished), dead = tonumber(dead) } end
  return { finished = tonumber(s) }
end

-- Attempt history (src/job/attempt_history.ts): the job hash field "history" holds the newest
-- HISTORY_MAX attempts, oldest first, one JSON object per line.
local HISTORY_MAX = 25

-- The error of a history entry as JSON text: err itself when it is a JSON object or array (its
-- raw line breaks, legal only between tokens, become spaces), else {"name":"Error","message":
-- err}; "null" when err is nil.
local function history_error(err)
  if err == nil then return "null" end
  local ok, value = pcall(cjson.decode, err)
  if ok and type(value) == "table" then return (string.gsub(err, "[\r\n]", " ")) end
  return '{"name":"Error","message":' .. cjson.encode(err) .. "}"
end

-- Appends the attempt of job id that ends at NOW to its history: its attempt number, startedAt
-- and worker as they are now (call before changing them), outcome (completed | failed |
-- cancelled | released | stalled) and err (error JSON text, or nil).
local function record_attempt(id, outcome, err)
  local jk = job_key(id)
  local j = redis.call("HMGET", jk, "attempts", "startedAt", "worker", "history")
  local entry = '{"attempt":' .. (j[1] or "0") .. ',"startedAt":' .. (j[2] or "null")
    .. ',"finishedAt":' .. NOW_S .. ',"worker":' .. (j[3] and cjson.encode(j[3]) or "null")
    .. ',"outcome":"' .. outcome .. '","error":' .. history_error(err) .. "}"
  local h = j[4]
  if h and h ~= "" then
    h = h .. "\n" .. entry
    local _, breaks = string.gsub(h, "\n", "")
    for _ = HISTORY_MAX, breaks do h = string.sub(h, string.find(h, "\n", 1, true) + 1) end
  else
    h = entry
  end
  redis.call("HSET", jk, "history", h)
end

-- Handles one active job of q whose lease is void (it expired, or its node died): stalls + 1;
-- cancellation requested => cancelled; attempts >= maxAttempts => dead with the stalled error
-- (err: its JSON text in three parts, around attempts and maxAttempts); else back in its lane at
-- its original seq (waitingSince = now, wakes q) with its token cleared, so the old holder's
-- later calls are refused. The attempt goes to the job's history first (outcome "cancelled" or
-- "stalled"; the stalled error when it was the last). Returns true when the job was requeued.
-- The one place for this rule: reclaim_expired.lua and reap_dead_nodes.lua both use it.
local function stall(q, id, keep, err)
  local j = redis.call("HMGET", job_key(id), "lane", "attempts", "maxAttempts", "cancelRequested",
    "seq", "stalls", "prefetched", "worker")
  local li = j[1]
  leave_active(q, id, li, j[7], j[8])
  local stalls = fmt(tonumber(j[6]) + 1)
  local attempts, max_attempts = tonumber(j[2]), tonumber(j[3])
  if j[4] == "1" then
    record_attempt(id, "cancelled", nil)
    finish(q, id, li, "cancelled", keep, "stalls", stalls)
    return false
  elseif attempts >= max_attempts then
    local e = err[1] .. fmt(attempts) .. err[2] .. fmt(max_attempts) .. err[3]
    record_attempt(id, "stalled", e)
    finish(q, id, li, "dead", keep, "stalls", stalls, "error", e)
    return false
  end
  record_attempt(id, "stalled", nil)
  to_lane(q, id, li, tonumber(j[5]), "stalls", stalls, "token", "")
  wake(q)
  return true
end

-- Moves up to `limit` due delayed jobs of q into their lanes, in (runAt, id) order.
local function promote(q, limit)
  if limit <= 0 then return 0 end
  local key = qkey(q, "delayed")
  local ids = redis.call("ZRANGEBYSCORE", key, "-inf", NOW_S, "LIMIT", 0, limit)
  if #ids == 0 then return 0 end
  redis.call("ZREMRANGEBYRANK", key, 0, #ids - 1)
  for _, id in ipairs(ids) do
    local li = redis.call("HGET", job_key(id), "lane")
    count(q, "delayed", li, -1)
    to_lane(q, id, li, next_seq(q))
  end
  return #ids
end

-- The lane picker; mirrors src/schedule/lane_picker.ts exactly (same double arithmetic).
-- st = { vt, pass[0..4], aged }; heads[i] = lane i's head as { since = waitingSince, seq = its
-- seq } or false when the lane is empty; cfg = { w[0..4], strict, aging (nil = off) }.
-- Aging: a head that waited aging ms or longer wins (oldest since, then lowest seq), never twice
-- in a row. Returns the lane index, or -1 when every lane is empty.
local STRIDE_UNIT = 1000000
local PASS_REBASE_AT = 1000000000

local function pick_lane(st, heads, cfg, now)
  local chosen = -1
  local aged = false
  if cfg.aging ~= nil and not st.aged then
    local oldest = nil
    for i = 0, 4 do
      local head = heads[i]
      if head and now - head.since >= cfg.aging then
        if oldest == nil or head.since < oldest.since
          or (head.since == oldest.since and head.seq < oldest.seq) then
          oldest = head
          chosen = i
        end
      end
    end
    aged = chosen ~= -1
  end
  if chosen == -1 then
    local best = math.huge
    for i = 0, 4 do
      if heads[i] then
        if cfg.strict then
          chosen = i
          break
        end
        local pass = math.max(st.pass[i], st.vt)
        if pass < best then
          best = pass
          chosen = i
        end
      end
    end
    if chosen == -1 then return -1 end
  end
  local effective = math.max(st.pass[chosen], st.vt)
  if not aged then st.vt = effective end
  st.pass[chosen] = effective + math.floor(STRIDE_UNIT / cfg.w[chosen])
  st.aged = aged
  if st.vt > PASS_REBASE_AT then
    local base = st.vt
    for i = 0, 4 do
      st.pass[i] = math.max(st.pass[i] - base, 0)
    end
    st.vt = 0
  end
  return chosen
end

-- Reply framing: hot scripts return one bulk string of fields, each "<byte length>:<bytes>"
-- (ioredis parses one bulk string much faster than an array of many). Appends s to parts.
local function frame(parts, s)
  if not s then s = "" end
  local n = #parts
  parts[n + 1] = #s .. ":"
  parts[n + 2] = s
end

-- Checks that ARGV from `first` on holds whole items of `width` fields.
local function check_items(first, width, what)
  if (#ARGV - first + 1) % width ~= 0 then
    error("sluice " .. what .. ": ARGV does not hold whole items of " .. width .. " fields")
  end
end

-- Job fields read for a lease reply, in this order (see frame_lease).
local LEASE_FIELDS = { "name", "payload", "attempts", "maxAttempts", "stalls", "enqueuedAt",
  "runAt", "waitingSince", "releases", "lane", "backoff" }

-- Leases job id to worker: active, startedAt now, token, deadline (`...`: more fields to set).
local function lease(id, worker, token, deadline, ...)
  redis.call("HSET", job_key(id), "state", "active", "startedAt", NOW_S, "worker", worker,
    "token", token, "leaseDeadline", deadline, ...)
end

-- Appends a leased job to a framed reply, 6 fields: id, name, queue, payload,
-- "lane index,attempt,maxAttempts,stalls,enqueuedAt,runAt,releases", and the job's own backoff
-- JSON ("" for none) (j: LEASE_FIELDS values).
local function frame_lease(out, id, q, li, attempt, j)
  frame(out, id)
  frame(out, j[1])
  frame(out, q)
  frame(out, j[2])
  frame(out, li .. "," .. attempt .. "," .. j[4] .. "," .. j[5] .. "," .. j[6] .. "," .. j[7]
    .. "," .. (j[9] or "0"))
  frame(out, j[11])
end

-- True when (token, epoch) is the current leader lease and it has not lapsed at NOW.
local function leader_is(token, epoch)
  local l = redis.call("HMGET", P .. "leader", "token", "epoch", "expiresAt")
  return l[1] == token and tonumber(l[2]) == tonumber(epoch) and tonumber(l[3]) > NOW
end
