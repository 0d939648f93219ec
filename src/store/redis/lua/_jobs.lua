-- _jobs.lua: job transitions shared by the verb scripts (needs _core.lua, _leases.lua). Each is the
-- one place of its rule; src/store/memory/ mirrors them step by step.
--
-- Job hash fields (src/store/redis/job_fields.ts): n name, q queue, l lane index, s state,
-- d payload, m maxAttempts (absent: IMPLIED_MAX_ATTEMPTS), e enqueuedAt, r runAt (absent: e), a attempts started (absent: 0),
-- st startedAt, f finishedAt, t lease token, w worker, p "1" while prefetched, k "1" when
-- cancellation was requested, x result, er latest error, h history, sl stalls, rl releases,
-- bo backoff. An absent field is null (or 0 for counters).
-- States: w waiting, d delayed, b blocked, a active, c completed, x dead, k cancelled.

-- Finished-state index names by state letter.
-- @load
local FINISHED = { c = "completed", x = "dead", k = "cancelled" }

-- The store options a script gets as its ARGV[2]: "keepFinished,keepDead,events,metrics":
-- retention (the newest completed and cancelled jobs kept per queue, each, and the newest dead
-- ones), the length the event stream is trimmed to (0: no events), and metrics ("1" on). Turns
-- recording on as they say (_observe.lua); returns the retention by state letter.
local function read_opts(s)
  local finished, dead, events, metrics = string.match(s or "", "^(%d+),(%d+),(%d+),([01])$")
  if not finished then error("sluice: bad store options " .. tostring(s)) end
  OBSERVE.events = tonumber(events)
  OBSERVE.metrics = metrics == "1"
  return { c = tonumber(finished), k = tonumber(finished), x = tonumber(dead) }
end

-- The maxAttempts a job's "m" field implies when absent: enqueue writes it only when it differs
-- (most jobs keep the default; a waiting job is smaller without it). record.ts reads the same
-- (IMPLIED_MAX_ATTEMPTS in job_fields.ts).
local IMPLIED_MAX_ATTEMPTS = "3"

-- Due index: P.."due" holds, per queue with delayed jobs, its earliest delayed job's runAt, so
-- idle nodes ask one key, not every queue. Kept exact: an added delayed job lowers it (LT), and a
-- script that takes a delayed job out (promotion, cancel, replace) sets it again.
local DUE = {}
local DUE_LIST = {}

local function due_later(q, at)
  local known = DUE[q]
  if known == nil then DUE_LIST[#DUE_LIST + 1] = q end
  if known == nil or at < known then DUE[q] = at end
end

-- Idle nodes sleep until the due time they last read: a queue whose earliest due time moves
-- earlier wakes them (once per call and queue, not per job).
-- @load
on_flush(function()
  for _, q in ipairs(DUE_LIST) do
    local known = redis.call("ZSCORE", P .. "due", q)
    if not known or DUE[q] < tonumber(known) then
      redis.call("ZADD", P .. "due", fmt(DUE[q]), q)
      wake(q)
    end
  end
end)

-- Sets P.."due" of q from its delayed index as it is now (removed when it has none).
local function reset_due(q)
  local top = redis.call("ZRANGE", qkey(q, "delayed"), "0", "0", "WITHSCORES")
  if #top == 0 then
    redis.call("ZREM", P .. "due", q)
  else
    redis.call("ZADD", P .. "due", top[2], q)
  end
end

-- Queues whose delayed index lost a job in this call: their due entry is set again at flush.
local DUE_RESET = {}
local DUE_RESET_LIST = {}

-- Takes delayed job id out of q's delayed index (its due entry follows at flush).
local function leave_delayed(q, id)
  redis.call("ZREM", qkey(q, "delayed"), id)
  if not DUE_RESET[q] then
    DUE_RESET[q] = true
    DUE_RESET_LIST[#DUE_RESET_LIST + 1] = q
  end
end

-- @load
on_sent(function()
  for _, q in ipairs(DUE_RESET_LIST) do reset_due(q) end
end)

-- Puts job id (queue q, lane li; its state field already "w") in its lane at flush: at the
-- back, or at the front (`front`: a job handed back or whose lease expired goes first again).
local function enter_lane(q, id, li, front)
  later(front and "LPUSH" or "RPUSH", lane_key(q, li), id)
  ready(q)
end

-- Takes waiting job id out of lane li of q: from the pushes still pending in this call, else
-- from the list (LREM: O(its position)).
local function leave_lane(q, id, li)
  local key = lane_key(q, li)
  if unlater("RPUSH", key, id) or unlater("LPUSH", key, id) then return end
  redis.call("LREM", key, 1, id)
end

-- Takes waiting job id (queue q, lane li) out of line: out of its lane, or out of the line of
-- the limit key it is parked on (its tl field), which it then no longer waits on.
local function leave_line(q, id, li)
  local tl = redis.call("HGET", job_key(id), "tl")
  if not tl then return leave_lane(q, id, li) end
  local key = P .. "pk:" .. tl
  if not unlater("RPUSH", key, id) then redis.call("LREM", key, 1, id) end
  redis.call("HDEL", job_key(id), "tl")
  redis.call("ZREM", qkey(q, "parked"), id)
  count(q, "t", li, -1)
end

-- Makes job id waiting in its lane (see enter_lane). `...`: more job fields to set.
local function to_waiting(q, id, li, front, ...)
  redis.call("HSET", job_key(id), "s", "w", ...)
  enter_lane(q, id, li, front)
end

-- Indexes job id (its fields already say delayed until run_at) as delayed until run_at (text).
local function enter_delayed(q, id, li, run_at)
  later("ZADD", qkey(q, "delayed"), run_at, id)
  count(q, "d", li, 1)
  due_later(q, tonumber(run_at))
end

-- Delays job id until run_at (text, epoch ms). `...`: more job fields to set.
local function to_delayed(q, id, li, run_at, ...)
  redis.call("HSET", job_key(id), "s", "d", "r", run_at, ...)
  enter_delayed(q, id, li, run_at)
end

-- What finish() needs to know of a job besides its queue, lane and state: its unique key and
-- scope, its prerequisites, whether it has dependents, and how many of them pin it.
-- @load
local FINISH_FIELDS = { "uk", "us", "pr", "dn", "pc" }

-- Called by finish() after the job's own fields are written: fn(q, id, li, state, keep, f)
-- with f its FINISH_FIELDS values (_unique.lua and _deps.lua add theirs).
-- @load
local FINISH_HOOKS = {}
local function on_finish(fn)
  FINISH_HOOKS[#FINISH_HOOKS + 1] = fn
end

-- Called by forget() with the id and FINISH_FIELDS values of a job being deleted; the hooks read
-- only uk, us and dn (f[1], f[2], f[4]): the retention trim reads no more.
-- @load
local FORGET_HOOKS = {}
local function on_forget(fn)
  FORGET_HOOKS[#FORGET_HOOKS + 1] = fn
end

-- Deletes job id at flush, with what only it used (f: its FINISH_FIELDS values): its log.
local function forget(id, f)
  delete_later(job_key(id))
  delete_later(P .. "log:" .. id)
  for _, fn in ipairs(FORGET_HOOKS) do fn(id, f) end
end

-- Finished-state indexes trimmed at flush: index key -> { q, state, keep }.
local TRIMS = {}
local TRIM_LIST = {}

-- Puts finished job id (queue q, its state letter and finishedAt f_s) in its retention index,
-- which flush() trims to the newest keep[state].
local function index_finished(q, id, state, f_s, keep)
  local key = qkey(q, FINISHED[state])
  later("ZADD", key, f_s, id)
  if not TRIMS[key] then
    TRIMS[key] = true
    TRIM_LIST[#TRIM_LIST + 1] = { q = q, state = state, key = key, keep = keep[state] }
  end
end

-- @load
on_sent(function()
  for _, t in ipairs(TRIM_LIST) do
    local over = redis.call("ZCARD", t.key) - t.keep
    if over > 0 then
      local popped = redis.call("ZPOPMIN", t.key, over)
      for k = 1, #popped, 2 do
        local id = popped[k]
        local j = redis.call("HMGET", job_key(id), "l", "uk", "us", "dn")
        count(t.q, t.state, j[1] or "0", -1)
        forget(id, { j[2], j[3], false, j[4] })
      end
    end
  end
end)

-- Moves job id to a final state (c, x or k) at NOW. `f`: its FINISH_FIELDS values when the
-- caller read them, or nil to read them here. `...`: more job fields to set. A state kept 0 jobs
-- deep deletes the job at flush (its state is set first, so the rest of the call sees it
-- finished), unless it is a completed job that dependents still pin (field pc > 0): that one is
-- counted and kept (field pn) out of its retention index until they finish. Then the hooks run:
-- unique key release, pins of its prerequisites dropped, dependents settled.
local function finish(q, id, li, state, keep, f, ...)
  if f == nil then f = redis.call("HMGET", job_key(id), unpack(FINISH_FIELDS)) end
  local pinned = state == "c" and f[5] and tonumber(f[5]) > 0
  if keep[state] == 0 and not pinned then
    redis.call("HSET", job_key(id), "s", state)
    forget(id, f)
  else
    redis.call("HSET", job_key(id), "s", state, "f", NOW_S, ...)
    count(q, state, li, 1)
    if pinned then
      redis.call("HSET", job_key(id), "pn", "1")
    else
      index_finished(q, id, state, NOW_S, keep)
    end
  end
  for _, fn in ipairs(FINISH_HOOKS) do fn(q, id, li, state, keep, f) end
end

-- Attempt history: field h holds the newest HISTORY_MAX attempts that did not complete, oldest
-- first, one per line: outcome TAB attempt TAB startedAt TAB finishedAt TAB worker TAB error
-- (JSON text, "" for none). A completed attempt is not stored: the job's own fields tell it
-- (src/store/redis/record.ts adds it when reading).
local HISTORY_MAX = 25

-- Appends the attempt `attempt` of job id that ends at NOW with `outcome` (failed | cancelled |
-- released | stalled); started, worker and err may be nil.
local function record_attempt(id, outcome, attempt, started, worker, err)
  local jk = job_key(id)
  local entry = outcome .. "\t" .. (attempt or "0") .. "\t" .. (started or "") .. "\t" .. NOW_S
    .. "\t" .. (worker or "") .. "\t" .. (err or "")
  local h = redis.call("HGET", jk, "h")
  if h and h ~= "" then
    h = h .. "\n" .. entry
    local _, breaks = string.gsub(h, "\n", "")
    for _ = HISTORY_MAX, breaks do h = string.sub(h, string.find(h, "\n", 1, true) + 1) end
  else
    h = entry
  end
  redis.call("HSET", jk, "h", h)
end

-- The error of an attempt whose lease expired, in the events of a stall that was not its last.
local STALLED_RETRIED = '{"name":"StalledError","message":"lease expired (the worker died or stopped renewing)"}'

-- Handles one active job whose lease is void (it expired, or its node died). Unstarted
-- (prefetched): back at the front of its lane, nothing spent. Started: stalls + 1, the attempt
-- recorded; cancellation requested => cancelled; attempts >= maxAttempts => dead with the
-- stalled error (err: its JSON text in three parts, around attempts and maxAttempts); else back
-- at the front of its lane with its token cleared, so the old holder's later calls are refused.
-- Returns true when the job went back to its lane. The one place for this rule:
-- reclaim_expired.lua and reap_dead_nodes.lua both use it.
local function stall(id, keep, err)
  local j = redis.call("HMGET", job_key(id), "q", "l", "a", "m", "k", "sl", "p", "w", "st", "n",
    "r", "e", "lk", "lc", unpack(FINISH_FIELDS))
  local o = { j[10], j[11], j[12] }
  local f = { j[15], j[16], j[17], j[18], j[19] }
  local q, li, worker = j[1], j[2], j[8]
  leave_active(q, id, li, worker, j[7], j[13], j[14])
  if j[7] then
    to_waiting(q, id, li, true, "t", "")
    return true
  end
  local stalls = fmt(tonumber(j[6] or "0") + 1)
  local attempts, max_attempts = tonumber(j[3] or "0"), tonumber(j[4] or IMPLIED_MAX_ATTEMPTS)
  if j[5] == "1" then
    record_attempt(id, "cancelled", j[3], j[9], worker, nil)
    observe_failed(id, o[1], q, li, j[3], j[9], o[2], o[3], "k", nil, STALLED_RETRIED)
    finish(q, id, li, "k", keep, f, "sl", stalls)
    return false
  elseif attempts >= max_attempts then
    local e = err[1] .. fmt(attempts) .. err[2] .. fmt(max_attempts) .. err[3]
    record_attempt(id, "stalled", j[3], j[9], worker, e)
    observe_failed(id, o[1], q, li, j[3], j[9], o[2], o[3], "x", nil, e)
    finish(q, id, li, "x", keep, f, "sl", stalls, "er", e)
    return false
  end
  record_attempt(id, "stalled", j[3], j[9], worker, nil)
  observe_failed(id, o[1], q, li, j[3], j[9], o[2], o[3], "w", NOW_S, STALLED_RETRIED)
  to_waiting(q, id, li, true, "sl", stalls, "t", "")
  return true
end

-- Moves up to `limit` due delayed jobs of q (runAt <= now) to the back of their lanes, in
-- (runAt, id) order, and resets q's due entry. Writes at once: a reserve reads the lanes next.
local function promote(q, limit)
  local key = qkey(q, "delayed")
  local ids = redis.call("ZRANGEBYSCORE", key, "-inf", NOW_S, "LIMIT", "0", itos(limit))
  if #ids == 0 then
    reset_due(q)
    return 0
  end
  redis.call("ZREMRANGEBYRANK", key, "0", itos(#ids - 1))
  local by_lane = {}
  for _, id in ipairs(ids) do
    local jk = job_key(id)
    local li = redis.call("HGET", jk, "l")
    redis.call("HSET", jk, "s", "w")
    count(q, "d", li, -1)
    local list = by_lane[li]
    if not list then
      list = {}
      by_lane[li] = list
    end
    list[#list + 1] = id
  end
  for li, list in pairs(by_lane) do redis.call("RPUSH", lane_key(q, li), unpack(list)) end
  ready(q)
  reset_due(q)
  return #ids
end

-- Job fields read to lease a job, in this order (see frame_lease): the reply's, then its
-- unique key and scope (a "queued" key is released when the job starts), its limit key. The
-- first five are the ones every job may have; the rest are optional (see read_lease_fields).
-- @load
local LEASE_FIELDS = { "n", "d", "a", "e", "r", "m", "sl", "rl", "bo", "pr", "uk", "us", "lk" }

-- Optional fields, skipped by the hot reads when the job has none. Each field a redis.call
-- carries costs about 2.7k instructions whether the hash has it or not, HLEN about 3.5k, and most
-- jobs have none of their optional fields (m sl rl bo pr uk us lk lc dn pc): so reserve and
-- complete read the fields every job may have, then compare HLEN with how many of them are set
-- plus the fields the job is known to hold (q l s d: written at enqueue, never deleted). Equal:
-- the hash holds nothing else, so every optional field is absent. Different: they read the rest.
-- Exact whoever wrote the job (older builds included); no marker field, no byte added.

-- The values of absent fields (any number of them). Shared: never written to.
-- @load
local NO_FIELDS = {}

-- How many of t[1..n] are set.
local function count_set(t, n)
  local c = 0
  for i = 1, n do
    if t[i] then c = c + 1 end
  end
  return c
end

-- The LEASE_FIELDS values of job id: its first five, or all when it may have optional ones.
local function read_lease_fields(id)
  local jk = job_key(id)
  local j = redis.call("HMGET", jk, "n", "d", "a", "e", "r")
  if redis.call("HLEN", jk) == count_set(j, 5) + 3 then return j end -- + q l s
  return redis.call("HMGET", jk, unpack(LEASE_FIELDS))
end

-- Appends a leased job to a framed reply, 7 fields: id, name, queue, payload,
-- "lane index,attempt,maxAttempts,stalls,enqueuedAt,runAt,releases,n" (its token is the call's
-- token base.."."..n), the job's own backoff JSON ("" for none), and its prerequisites (ids
-- separated by newlines, "" for none). j: its LEASE_FIELDS values.
local function frame_lease(out, id, q, li, attempt, n, j)
  local name, payload, bo, pr = j[1] or "", j[2] or "", j[9] or "", j[10] or ""
  local nums = li .. "," .. attempt .. "," .. (j[6] or IMPLIED_MAX_ATTEMPTS) .. "," .. (j[7] or "0")
    .. "," .. j[4] .. "," .. (j[5] or j[4]) .. "," .. (j[8] or "0") .. "," .. n
  local k = #out -- appended in place: # on a table is a search
  out[k + 1], out[k + 2], out[k + 3], out[k + 4] = frame_head(id), id, frame_head(name), name
  out[k + 5], out[k + 6], out[k + 7], out[k + 8] = frame_head(q), q, frame_head(payload), payload
  out[k + 9], out[k + 10], out[k + 11], out[k + 12] = frame_head(nums), nums, frame_head(bo), bo
  out[k + 13], out[k + 14] = frame_head(pr), pr
end

-- Called when a job starts running (its first attempt charged): fn(id, uk, us).
-- @load
local START_HOOKS = {}
local function on_start(fn)
  START_HOOKS[#START_HOOKS + 1] = fn
end

-- A job starts running now: its unique key and scope are uk and us.
local function job_started(id, uk, us)
  if uk then
    for _, fn in ipairs(START_HOOKS) do fn(id, uk, us) end
  end
end
