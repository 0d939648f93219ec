-- _enqueue.lua: stores new jobs atomically (all or none), idempotent on job ids, with unique
-- keys and prerequisites (needs _core.lua, _observe.lua, _limits.lua, _jobs.lua, _unique.lua,
-- _deps.lua): the body of
-- enqueue.lua, which fire_schedule.lua shares. Mirrors src/store/memory/enqueue.ts.
--
-- Items are read from ARGV, from index `first` on: 7 fields, then 9 more when the 7th says so
-- (most jobs have none of them, and each argument costs Redis about as much as a hash field):
-- id, name, queue, lane index (0..4), payload, maxAttempts, extras ("" = none: the nine below
-- are all "", "+" = they follow): runAt (epoch ms, "" = none), delay (ms from now, "" = 0),
-- backoff (JSON, "" = none), prerequisite ids (newline separated, "" = none; jobs of this call
-- come earlier), failure policy ("" fail, "s" skip, "w" wait), unique key ("" = none), unique
-- scope (q, a, c or a window in ms), unique conflict ("" reject, "e" return the existing job,
-- "r" replace it), limit key ("" = its function has no limits).

-- @load
local QUEUED = { w = true, d = true, b = true }
-- @load
local CREATED_CODE = { w = "1w", d = "1d", b = "1b", x = "1x" } -- a reply code (enqueue_items)
-- @load
local LANE_TEXTS = { ["0"] = true, ["1"] = true, ["2"] = true, ["3"] = true, ["4"] = true }

-- The optional fields of the item at ARGV[i]: runAt, delay, backoff, prerequisite ids, failure
-- policy, unique key, unique scope, unique conflict, limit key ("" each when it has none).
local function extras(i)
  if ARGV[i + 6] == "" then return "", "", "", "", "", "", "", "", "" end
  return ARGV[i + 7], ARGV[i + 8], ARGV[i + 9], ARGV[i + 10], ARGV[i + 11], ARGV[i + 12],
    ARGV[i + 13], ARGV[i + 14], ARGV[i + 15]
end

-- Checks the items from ARGV[first] on; raises an error on a malformed one. Returns the ARGV
-- index of each item, in order.
local function check_enqueue_items(first)
  local starts, n, i, last = {}, 0, first, #ARGV
  while i <= last do
    local x = ARGV[i + 6]
    local width = x == "" and 7 or 16
    if x == nil or (x ~= "" and x ~= "+") or i + width - 1 > last then
      error("sluice enqueue: ARGV does not hold whole items")
    end
    if not LANE_TEXTS[ARGV[i + 3]] then error("sluice enqueue: bad lane " .. ARGV[i + 3]) end
    if ARGV[i + 5] ~= IMPLIED_MAX_ATTEMPTS and tonumber(ARGV[i + 5]) == nil then
      error("sluice enqueue: bad maxAttempts " .. ARGV[i + 5])
    end
    if x == "+" then
      if ARGV[i + 7] ~= "" and tonumber(ARGV[i + 7]) == nil then
        error("sluice enqueue: bad runAt " .. ARGV[i + 7])
      end
      if ARGV[i + 8] ~= "" and tonumber(ARGV[i + 8]) == nil then
        error("sluice enqueue: bad delay " .. ARGV[i + 8])
      end
    end
    n = n + 1
    starts[n] = i
    i = i + width
  end
  return starts
end

-- Whether any of keys[from..to] exists (one EXISTS per thousand keys, not one per key: most
-- calls store only new jobs).
local function any_exists(keys, from, to)
  for a = from, to, 1000 do
    if redis.call("EXISTS", unpack(keys, a, math.min(a + 999, to))) > 0 then return true end
  end
  return false
end

-- The first pass: decides the items at ARGV indexes starts[from..to]. Returns plans (by item
-- index in the group from 0: "create", "exists", "existing" or "replace"), targets (the job an
-- "existing" or "replace" item goes to) and alias (item id -> that job); or nil and the refusal
-- (see enqueue_items). `keys`: the items' job keys by item number, filled here unless `made` is
-- given (see enqueue_items), which then tells which ids name a job.
local function plan_items(starts, from, to, keys, made)
  local plans, targets, alias = {}, {}, {}
  local claimed, creating = {}, {}
  local any_stored = false
  if not made then
    for n = from, to do keys[n] = job_key(ARGV[starts[n]]) end
    any_stored = any_exists(keys, from, to)
  end
  for n = from, to do
    local i, k = starts[n], n - from
    local id = ARGV[i]
    local _, _, _, prs, _, uk, _, mode = extras(i)
    if creating[id] or (made and made[id])
      or (any_stored and redis.call("EXISTS", keys[n]) == 1) then
      plans[k] = "exists"
    else
      if uk ~= "" then
        local holder, hs = claimed[uk], "w"
        if not holder then holder, hs = lock_holder(uk) end
        if holder then
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
      if not plans[k] and prs ~= "" then
        for p in string.gmatch(prs, "[^\n]+") do
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

-- The due time of an item with these runAt and delay fields.
local function due_of(run_at, delay)
  if run_at ~= "" then return tonumber(run_at) end
  if delay == "" then return NOW end
  return NOW + tonumber(delay)
end

-- Creates item i as a job under key jk (keep: retention; alias: item ids a unique key sent
-- elsewhere).
local function create(i, jk, keep, alias)
  local id, name, q, li = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local run_at, delay, bo, prs, pol, uk, us, _, lk = extras(i)
  register_queue(q)
  if ARGV[i + 5] == IMPLIED_MAX_ATTEMPTS then
    redis.call("HSET", jk, "n", name, "q", q, "l", li, "s", "w", "d", ARGV[i + 4], "e", NOW_S)
  else
    redis.call("HSET", jk, "n", name, "q", q, "l", li, "s", "w", "d", ARGV[i + 4],
      "m", ARGV[i + 5], "e", NOW_S)
  end
  if bo ~= "" then redis.call("HSET", jk, "bo", bo) end
  if pol ~= "" then redis.call("HSET", jk, "pf", pol) end
  if lk ~= "" then redis.call("HSET", jk, "lk", lk) end
  if uk ~= "" then
    redis.call("HSET", jk, "uk", uk, "us", us)
    take_lock(uk, us, id)
  end
  local prereqs = NO_FIELDS -- most jobs have none: no tables built for them
  local open, failed, failed_state = 0, nil, nil
  if prs ~= "" then
    local seen = {}
    prereqs = {}
    for p in string.gmatch(prs, "[^\n]+") do
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
  local due = due_of(run_at, delay)
  if failed then
    local err = '{"name":"PrerequisiteFailedError","message":'
      .. json_string("prerequisite " .. failed .. " ended " .. FINISHED[failed_state]) .. "}"
    redis.call("HSET", jk, "er", err)
    local f = { uk ~= "" and uk or nil, uk ~= "" and us or nil, pr, nil, nil }
    event("enqueued", id, name, q, li, "x\t" .. NOW_S)
    observe_failed(id, name, q, li, "0", nil, nil, nil, "x", nil, err)
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
  event("enqueued", id, name, q, li, state, due > NOW and fmt(due) or NOW_S)
  return state
end

-- Replaces the payload and options of queued job t with those of item i.
local function replace(i, t)
  local tk = job_key(t)
  local j = redis.call("HMGET", tk, "s", "q", "l", "tl")
  local s, q, li = j[1], j[2], j[3]
  if not QUEUED[s] then return end
  local run_at, delay, bo, _, _, _, _, _, lk = extras(i)
  redis.call("HSET", tk, "d", ARGV[i + 4], "m", ARGV[i + 5])
  for _, f in ipairs({ { "bo", bo }, { "lk", lk } }) do
    if f[2] ~= "" then
      redis.call("HSET", tk, f[1], f[2])
    else
      redis.call("HDEL", tk, f[1])
    end
  end
  if j[4] and j[4] ~= lk then -- parked on a key it no longer has: back in its lane
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
  local due = due_of(run_at, delay)
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

-- Stores the item at ARGV index i under job key jk as a group of its own, when it has no extras
-- (no unique key, no prerequisites, due now: nothing can refuse it) and `made` holds the ids of
-- every job this call created so far, none of the call's jobs having existed before it: then its
-- id names a job only when it is in `made`, and no EXISTS is needed. Returns the group's framed
-- reply, as enqueue_items would: "K", then "1" and the state letter, or "0" and that of the job
-- its id names already. Concurrent single enqueues share a call this way, one group each: this
-- spares each of them the tables and the lookups a general group needs.
local function enqueue_one(i, jk, keep, made)
  local id = ARGV[i]
  local code
  if made[id] then
    code = "0" .. redis.call("HGET", jk, "s")
  else
    code = CREATED_CODE[create(i, jk, keep, NO_FIELDS)] -- no prerequisites: no alias is read
    made[id] = true
  end
  local codes = "K" .. code
  return frame_head(codes) .. codes
end

-- Stores the items at ARGV indexes starts[from..to] (checked by check_enqueue_items) as one
-- all-or-none group, after set_now(). Returns, when a unique key held under "reject" (or under
-- "replace" by a job that is not queued) or an unknown prerequisite refuses the group, nothing
-- stored: { "E", "dup", item index, key, holder id, holder state letter, reason } or { "E",
-- "prereq", item index, prerequisite }. Else the framed reply (see frame() in _core.lua): first
-- "K" then two letters per item: "1" created, "0" not (the item's own id names a job already),
-- or "2" not, its unique key sent it to another job (under "e" and "r"); then the item's state
-- letter. Then one more field per "2" item, in order: that job's id. And the plans of
-- plan_items. `keys` and `made` (optional, both or neither): the job keys of the call's items by
-- item number, and, when none of them named a job before the call, the ids it created so far
-- (see enqueue_one; the group's new jobs are added), which spares the group its EXISTS. The
-- caller flushes.
local function enqueue_items(starts, from, to, keep, keys, made)
  keys = keys or {}
  local plans, targets, alias = plan_items(starts, from, to, keys, made)
  if not plans then return targets end
  local codes, others = { "K" }, {}
  local c = 1 -- #codes
  for n = from, to do
    local i, k = starts[n], n - from
    local plan = plans[k]
    c = c + 1
    if plan == "create" then
      codes[c] = CREATED_CODE[create(i, keys[n], keep, alias)]
      if made then made[ARGV[i]] = true end
    else
      local id = ARGV[i]
      if plan == "replace" then replace(i, targets[k]) end
      if plan ~= "exists" then
        id = targets[k]
        frame(others, id)
      end
      codes[c] = (plan == "exists" and "0" or "2") .. redis.call("HGET", job_key(id), "s")
    end
  end
  local out = {}
  frame(out, table.concat(codes))
  return table.concat(out) .. table.concat(others), plans
end
