-- _enqueue.lua: stores new jobs atomically (all or none), idempotent on job ids, with unique
-- keys and prerequisites (needs _core.lua, _observe.lua, _limits.lua, _jobs.lua, _unique.lua,
-- _deps.lua): the body of
-- enqueue.lua, which fire_schedule.lua shares. Mirrors src/store/memory/enqueue.ts.
--
-- Items are read from ARGV, from index `first` on, 15 fields each: id, name, queue, lane index
-- (0..4), payload, runAt (epoch ms, "" = none), delay (ms from now, "" = 0), maxAttempts,
-- backoff (JSON, "" = none), prerequisite ids (newline separated, "" = none; jobs of this call
-- come earlier), failure policy ("" fail, "s" skip, "w" wait), unique key ("" = none), unique
-- scope (q, a, c or a window in ms), unique conflict ("" reject, "e" return the existing job,
-- "r" replace it), limit key ("" = its function has no limits).

local ENQUEUE_WIDTH = 15
local QUEUED = { w = true, d = true, b = true }
local LANE_TEXTS = { ["0"] = true, ["1"] = true, ["2"] = true, ["3"] = true, ["4"] = true }

-- Checks the fields of the items from ARGV[first] on; raises an error on a malformed one.
local function check_enqueue_items(first)
  local W = ENQUEUE_WIDTH
  check_items(first, W, "enqueue")
  for i = first, #ARGV, W do
    if not LANE_TEXTS[ARGV[i + 3]] then error("sluice enqueue: bad lane " .. ARGV[i + 3]) end
    if ARGV[i + 5] ~= "" and tonumber(ARGV[i + 5]) == nil then
      error("sluice enqueue: bad runAt " .. ARGV[i + 5])
    end
    if ARGV[i + 6] ~= "" and tonumber(ARGV[i + 6]) == nil then
      error("sluice enqueue: bad delay " .. ARGV[i + 6])
    end
    if tonumber(ARGV[i + 7]) == nil then
      error("sluice enqueue: bad maxAttempts " .. ARGV[i + 7])
    end
  end
end

-- The first pass: decides every item. Returns plans (by item index from 0: "create",
-- "exists", "existing" or "replace"), targets (the job an "existing" or "replace" item goes
-- to) and alias (item id -> that job); or nil and the refusal (see enqueue_items).
local function plan_items(first, last)
  local W = ENQUEUE_WIDTH
  local plans, targets, alias = {}, {}, {}
  local claimed, creating = {}, {}
  for i = first, last, W do
    local k = (i - first) / W
    local id, uk = ARGV[i], ARGV[i + 11]
    if creating[id] or redis.call("EXISTS", job_key(id)) == 1 then
      plans[k] = "exists"
    else
      if uk ~= "" then
        local holder, hs = claimed[uk], "w"
        if not holder then holder, hs = lock_holder(uk) end
        if holder then
          local mode = ARGV[i + 13]
          if mode == "" then return nil, { "E", "dup", k, uk, holder, hs, "" } end
          if mode == "r" and not QUEUED[hs] then
            return nil, { "E", "dup", k, uk, holder, hs, "only a queued job can be replaced" }
          end
          alias[id] = holder
          targets[k] = holder
          plans[k] = mode == "r" and "replace" or "existing"
        else
          claimed[uk] = id
        end
      end
      if not plans[k] and ARGV[i + 9] ~= "" then
        for p in string.gmatch(ARGV[i + 9], "[^\n]+") do
          local r = alias[p] or p
          if not creating[r] and redis.call("EXISTS", job_key(r)) == 0 then
            return nil, { "E", "prereq", k, p }
          end
        end
      end
      if not plans[k] then
        creating[id] = true
        plans[k] = "create"
      end
    end
  end
  return plans, targets, alias
end

-- The due time of item i.
local function due_of(i)
  if ARGV[i + 5] ~= "" then return tonumber(ARGV[i + 5]) end
  return NOW + tonumber(ARGV[i + 6] == "" and "0" or ARGV[i + 6])
end

-- Creates item i as a job (keep: retention; alias: item ids a unique key sent elsewhere).
local function create(i, keep, alias)
  local id, q, li = ARGV[i], ARGV[i + 2], ARGV[i + 3]
  local jk = job_key(id)
  register_queue(q)
  local pol = ARGV[i + 10]
  local uk, us = ARGV[i + 11], ARGV[i + 12]
  if ARGV[i + 7] == IMPLIED_MAX_ATTEMPTS then
    redis.call("HSET", jk, "n", ARGV[i + 1], "q", q, "l", li, "s", "w", "d", ARGV[i + 4], "e", NOW_S)
  else
    redis.call("HSET", jk, "n", ARGV[i + 1], "q", q, "l", li, "s", "w", "d", ARGV[i + 4],
      "m", ARGV[i + 7], "e", NOW_S)
  end
  if ARGV[i + 8] ~= "" then redis.call("HSET", jk, "bo", ARGV[i + 8]) end
  if pol ~= "" then redis.call("HSET", jk, "pf", pol) end
  if ARGV[i + 14] ~= "" then redis.call("HSET", jk, "lk", ARGV[i + 14]) end
  if uk ~= "" then
    redis.call("HSET", jk, "uk", uk, "us", us)
    take_lock(uk, us, id)
  end
  local prereqs, seen = {}, {}
  local open, failed, failed_state = 0, nil, nil
  if ARGV[i + 9] ~= "" then
    for p in string.gmatch(ARGV[i + 9], "[^\n]+") do
      local r = alias[p] or p
      if not seen[r] then
        seen[r] = true
        prereqs[#prereqs + 1] = r
        local is_open, ps = add_edge(r, id, pol)
        if is_open then
          if (ps == "x" or ps == "k") and pol == "" then
            if not failed then failed, failed_state = r, ps end
          else
            open = open + 1
          end
        end
      end
    end
  end
  local pr = nil
  if #prereqs > 0 then
    pr = table.concat(prereqs, "\n")
    redis.call("HSET", jk, "pr", pr)
  end
  local due = due_of(i)
  if failed then
    local err = '{"name":"PrerequisiteFailedError","message":'
      .. json_string("prerequisite " .. failed .. " ended " .. FINISHED[failed_state]) .. "}"
    redis.call("HSET", jk, "er", err)
    local f = { uk ~= "" and uk or nil, uk ~= "" and us or nil, pr, nil, nil }
    event("enqueued", id, ARGV[i + 1], q, li, "x\t" .. NOW_S)
    observe_failed(id, ARGV[i + 1], q, li, "0", nil, nil, nil, "x", nil, err)
    finish(q, id, li, "x", keep, f)
    return "x"
  end
  local state
  if open > 0 then
    state = "b"
    redis.call("HSET", jk, "s", "b", "po", open)
    if due > NOW then redis.call("HSET", jk, "r", fmt(due)) end
    later("ZADD", qkey(q, "blocked"), NOW_S, id)
    count(q, "b", li, 1)
  elseif due > NOW then
    state = "d"
    to_delayed(q, id, li, fmt(due))
  else
    state = "w"
    enter_lane(q, id, li, false)
  end
  if #prereqs > 0 then raise(prereqs, tonumber(li)) end
  event("enqueued", id, ARGV[i + 1], q, li, state, due > NOW and fmt(due) or NOW_S)
  return state
end

-- Replaces the payload and options of queued job t with those of item i.
local function replace(i, t)
  local tk = job_key(t)
  local j = redis.call("HMGET", tk, "s", "q", "l", "tl")
  local s, q, li = j[1], j[2], j[3]
  if not QUEUED[s] then return end
  redis.call("HSET", tk, "d", ARGV[i + 4], "m", ARGV[i + 7])
  for _, f in ipairs({ { "bo", ARGV[i + 8] }, { "lk", ARGV[i + 14] } }) do
    if f[2] ~= "" then
      redis.call("HSET", tk, f[1], f[2])
    else
      redis.call("HDEL", tk, f[1])
    end
  end
  if j[4] and j[4] ~= ARGV[i + 14] then -- parked on a key it no longer has: back in its lane
    leave_line(q, t, li)
    enter_lane(q, t, li, true)
  end
  local lane = ARGV[i + 3]
  if lane ~= li then
    count(q, s, li, -1)
    if s == "w" then leave_line(q, t, li) end
    redis.call("HSET", tk, "l", lane)
    redis.call("HDEL", tk, "ql")
    count(q, s, lane, 1)
    if s == "w" then enter_lane(q, t, lane, false) end
    li = lane
    forget_raised()
  end
  local due = due_of(i)
  if s == "b" then
    if due > NOW then
      redis.call("HSET", tk, "r", fmt(due))
    else
      redis.call("HDEL", tk, "r")
    end
  elseif due > NOW then
    if s == "w" then
      leave_line(q, t, li)
    else
      count(q, "d", li, -1)
      leave_delayed(q, t)
    end
    to_delayed(q, t, li, fmt(due))
  elseif s == "d" then
    leave_delayed(q, t)
    count(q, "d", li, -1)
    to_waiting(q, t, li, false, "r", NOW_S)
  end
end

-- Stores the items ARGV[first..last] (checked by check_enqueue_items) as one all-or-none group,
-- after set_now(). Returns, when a unique key held under "reject" (or under "replace" by a job
-- that is not queued) or an unknown prerequisite refuses the group, nothing stored: { "E", "dup", item index, key, holder id, holder state letter,
-- reason } or { "E", "prereq", item index, prerequisite }. Else the framed reply (see frame() in
-- _core.lua): "K", then 3 fields per item: the job id (the existing job's under "e" and "r"),
-- created ("1" new, "0" not), its state letter; and the plans of plan_items. The caller
-- flushes.
local function enqueue_items(first, keep, last)
  local W = ENQUEUE_WIDTH
  local plans, targets, alias = plan_items(first, last)
  if not plans then return targets end
  local out = { "1:K" }
  for i = first, last, W do
    local k = (i - first) / W
    local plan = plans[k]
    local id, created, state = ARGV[i], "0", nil
    if plan == "create" then
      created = "1"
      state = create(i, keep, alias)
    else
      if plan == "replace" then replace(i, targets[k]) end
      if plan ~= "exists" then id = targets[k] end
      state = redis.call("HGET", job_key(id), "s")
    end
    frame(out, id)
    frame(out, created)
    frame(out, state)
  end
  return table.concat(out), plans
end
