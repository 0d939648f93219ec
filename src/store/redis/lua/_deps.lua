-- _deps.lua: job dependencies (needs _core.lua and _jobs.lua). Mirrors
-- src/store/memory/dependencies.ts.
--   P.."dep:"..p   zset  dependents of job p, score = the order they were enqueued in
--   P.."depd:"..p  set   those of them whose edge from p is satisfied
--   P.."q:"..q..":blocked"  zset  blocked jobs of q, score = enqueuedAt
-- Job fields: pr (prerequisite ids, newline separated), po (open prerequisites while blocked),
-- pf (failure policy: s skip, w wait; absent fail), ql (lane it was enqueued in, when a
-- dependent raised it), dn ("1": it has dependents), pc (dependents not finished: while > 0 a
-- completed job is pinned out of retention, field pn).

local function dep_key(id)
  return P .. "dep:" .. id
end

local function depd_key(id)
  return P .. "depd:" .. id
end

-- The prerequisite ids of a pr field, in order.
local function split_ids(pr)
  local ids = {}
  if pr then for id in string.gmatch(pr, "[^\n]+") do ids[#ids + 1] = id end end
  return ids
end

-- Records the edge p -> id for job id being enqueued (policy letter pol) and pins p. Returns
-- whether the edge is open (id must wait), and p's state.
local function add_edge(p, id, pol)
  local pk = job_key(p)
  local dk = dep_key(p)
  redis.call("ZADD", dk, redis.call("ZCARD", dk) + 1, id)
  local pj = redis.call("HMGET", pk, "s", "pn", "q", "f")
  redis.call("HINCRBY", pk, "pc", 1)
  redis.call("HSET", pk, "dn", "1")
  local ps = pj[1]
  if ps == "c" and not pj[2] then
    redis.call("HSET", pk, "pn", "1")
    redis.call("ZREM", qkey(pj[3], "completed"), p)
  end
  local done = ps == "c" or ((ps == "x" or ps == "k") and pol == "s")
  if done then redis.call("SADD", depd_key(p), id) end
  return not done, ps
end

-- A blocked job (fields dj: s q l pf po r) with no open prerequisite left: delayed until its
-- runAt when that is later, else waiting at the back of its lane (runAt now).
local function unblock(d, dj)
  local q, li, run_at = dj[2], dj[3], dj[6]
  later("ZREM", qkey(q, "blocked"), d)
  count(q, "b", li, -1)
  redis.call("HDEL", job_key(d), "po")
  if run_at and tonumber(run_at) > NOW then
    to_delayed(q, d, li, run_at)
  else
    to_waiting(q, d, li, false, "r", NOW_S)
  end
end

-- Drops the pins job id (finishing) holds on its prerequisites (ids of its pr field): a
-- completed prerequisite no dependent pins any more joins its retention index (or is deleted
-- under retention 0).
local function release_pins(pr, keep)
  for _, p in ipairs(split_ids(pr)) do
    local pk = job_key(p)
    local pj = redis.call("HMGET", pk, "s", "pn", "q", "l", "f", unpack(FINISH_FIELDS))
    if pj[1] then
      local left = redis.call("HINCRBY", pk, "pc", -1)
      if left <= 0 and pj[2] then
        redis.call("HDEL", pk, "pn")
        if keep.c == 0 then
          count(pj[3], "c", pj[4], -1)
          forget(p, { pj[6], pj[7], pj[8], pj[9], pj[10] })
        else
          index_finished(pj[3], p, "c", pj[5], keep)
        end
      end
    end
  end
end

-- Settles the open edges of finished prerequisite p (state letter ps): completed, or failed
-- under policy skip, satisfies them (a dependent with none left is unblocked); failed under
-- policy fail dead-letters the dependent (which settles its own dependents in turn); under
-- wait the dependent stays blocked.
local function settle(p, ps, keep)
  local ids = redis.call("ZRANGE", dep_key(p), 0, -1)
  local done = {}
  for i = 1, #ids, 1000 do
    local part = redis.call("SMISMEMBER", depd_key(p), unpack(ids, i, math.min(i + 999, #ids)))
    for k, v in ipairs(part) do done[i + k - 1] = v end
  end
  for k, d in ipairs(ids) do
    if done[k] ~= 1 then
      local dj = redis.call("HMGET", job_key(d), "s", "q", "l", "pf", "po", "r", "n", "a",
        unpack(FINISH_FIELDS))
      if dj[1] == "b" then
        local pol = dj[4] or "f"
        if ps == "c" or pol == "s" then
          redis.call("SADD", depd_key(p), d)
          if redis.call("HINCRBY", job_key(d), "po", -1) <= 0 then unblock(d, dj) end
        elseif pol == "f" then
          later("ZREM", qkey(dj[2], "blocked"), d)
          count(dj[2], "b", dj[3], -1)
          redis.call("HDEL", job_key(d), "po")
          local err = '{"name":"PrerequisiteFailedError","message":'
            .. json_string("prerequisite " .. p .. " ended " .. FINISHED[ps]) .. "}"
          observe_failed(d, dj[7], dj[2], dj[3], dj[8], nil, nil, nil, "x", nil, err)
          finish(dj[2], d, dj[3], "x", keep, { dj[9], dj[10], dj[11], dj[12], dj[13] }, "er", err)
        end
      end
    end
  end
end

-- Finished jobs whose dependents wait to be settled; settled one after another (no recursion:
-- failures cascade through graphs of any depth).
local SETTLING = {}
local SETTLED = 0
local DRAINING = false

-- @load
on_finish(function(q, id, li, state, keep, f)
  if f[3] then release_pins(f[3], keep) end
  if not f[4] then return end
  SETTLING[#SETTLING + 1] = { id = id, state = state }
  if DRAINING then return end
  DRAINING = true
  while SETTLED < #SETTLING do
    SETTLED = SETTLED + 1
    local next = SETTLING[SETTLED]
    settle(next.id, next.state, keep)
  end
  DRAINING = false
end)

-- @load
on_forget(function(id, f)
  if f[4] then delete_later(dep_key(id)) delete_later(depd_key(id)) end
end)

-- Job id -> the lowest lane index raise() walked it with during this script call. A walk from a
-- job at target t raises every open ancestor to t or higher, and no lane of an ancestor can drop
-- again within one call unless forget_raised() says so (ancestors are fixed when a job is
-- created; changePriority lowers one lane per call, an enqueue's "replace" calls forget_raised),
-- so a later walk at t or lower stops there: a bulk DAG is walked in O(V + E) rather than once
-- per job and ancestor.
local RAISED = {}

-- Forgets the walks of this call: a lane was lowered, so an earlier walk proves nothing.
local function forget_raised() RAISED = {} end

-- Priority inheritance: serves job ids (open prerequisites) and their own open ancestors at lane
-- index `target` when they sit lower; a waiting one moves to the back of its new lane.
local function raise(ids, target)
  local todo, head = {}, 1
  for _, id in ipairs(ids) do todo[#todo + 1] = id end
  while head <= #todo do
    local id = todo[head]
    head = head + 1
    local walked = RAISED[id]
    if not walked or walked > target then
      RAISED[id] = target
      local j = redis.call("HMGET", job_key(id), "s", "q", "l", "pr", "ql")
      local s = j[1]
      if s == "w" or s == "d" or s == "b" then
        for _, p in ipairs(split_ids(j[4])) do todo[#todo + 1] = p end
        if tonumber(j[3]) > target then
          local q = j[2]
          count(q, s, j[3], -1)
          count(q, s, target, 1)
          redis.call("HSET", job_key(id), "l", target, "ql", j[5] or j[3])
          if s == "w" then
            leave_line(q, id, j[3])
            enter_lane(q, id, target, false)
          end
        end
      end
    end
  end
end
