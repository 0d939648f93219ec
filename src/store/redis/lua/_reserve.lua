-- _reserve.lua: the work of reserve.lua (needs _core.lua, _observe.lua, _limits.lua,
-- _leases.lua, _jobs.lua, _picker.lua and _lease_reply.lua's frame_lease), as a function that
-- enqueue.lua also runs to lease a new job straight to an idle node (_handoff.lua).

-- Leases jobs as reserve.lua's header describes, by the arguments A laid out as its ARGV (queues
-- from A[20]), after set_now and read_opts, without the replay check, the call record or
-- flush(), which are the caller's. Returns the started count, the leased count, the framed
-- leases (frame_lease, in lease order), the queues named (once each, in order) and how many
-- started jobs came from the lanes below high.
local function reserve_jobs(A)
  local worker = A[3]
  local lease_ms = tonumber(A[5])
  local token_base = A[6]

  local started_want = tonumber(A[4])
  local prefetch = tonumber(A[15])
  local deadline = fmt(NOW + lease_ms)
  local promote_limit = math.max(tonumber(A[7]), started_want + prefetch)
  -- Tables indexed by lane are built whole by constructors ({ [0] = a, b, c, d, e }): one filled
  -- key by key grows (and rehashes) three times on the way to five keys.
  local function lane_allowed(i)
    return A[16] == "" or string.find(A[16], itos(i), 1, true) ~= nil
  end
  local allowed = { [0] = lane_allowed(0), lane_allowed(1), lane_allowed(2), lane_allowed(3),
    lane_allowed(4) }
  local lower_limit = tonumber(A[17])

  -- The named queues, once each, in order.
  local queues, seen = {}, {}
  for i = 20, #A do
    local q = A[i]
    if not seen[q] then
      seen[q] = true
      queues[#queues + 1] = q
    end
  end
  if #queues == 0 then return 0, 0, {}, queues, 0 end

  local due = redis.call("ZMSCORE", P .. "due", unpack(queues))
  for k, q in ipairs(queues) do
    if due[k] and tonumber(due[k]) <= NOW then promote(q, promote_limit) end
  end
  unpark()
  local is_ready = redis.call("SMISMEMBER", P .. "ready", unpack(queues))

  local n = 0
  local out = {}
  local lower_taken = 0
  local pf_seq = nil -- the latest prefetch order handed out (a block is taken from P.."pfseq")
  local pf_n = 0
  local QS = {} -- queue -> its dispatch state for this call, or false (paused or empty)
  local load_head

  -- The dispatch state of queue q: picker state, configuration, lane heads (read lazily in chunks;
  -- the jobs leased from a lane are exactly its first `taken` members, trimmed once at the end).
  local function open_queue(k, q)
    if QS[q] ~= nil then return QS[q] end
    if is_ready[k] ~= 1 and not READY[q] then
      QS[q] = false
      return false
    end
    local m = redis.call("HMGET", qkey(q, "meta"), "paused", "vt", "p0", "p1", "p2", "p3", "p4",
      "la", "w0", "w1", "w2", "w3", "w4", "strict", "aging", "rmax", "rdur")
    if m[1] == "1" then
      QS[q] = false
      return false
    end
    local aging = tonumber(m[15] or A[14])
    local qlim = nil
    if tonumber(m[16] or "0") > 0 then
      qlim = limit_state("@" .. q, { rmax = tonumber(m[16]), rdur = tonumber(m[17]), cmax = 0 })
    end
    local s = {
      st = {
        vt = tonumber(m[2] or "0"),
        pass = { [0] = tonumber(m[3] or "0"), tonumber(m[4] or "0"), tonumber(m[5] or "0"),
          tonumber(m[6] or "0"), tonumber(m[7] or "0") },
        aged = m[8] == "1",
      },
      cfg = {
        w = { [0] = tonumber(m[9] or A[8]), tonumber(m[10] or A[9]),
          tonumber(m[11] or A[10]), tonumber(m[12] or A[11]), tonumber(m[13] or A[12]) },
        strict = (m[14] or A[13]) == "1",
        stride = { [0] = false, false, false, false, false },
        aging = aging >= 0 and aging or nil,
      },
      heads = { [0] = false, false, false, false, false },
      buf = { [0] = false, false, false, false, false },
      pos = { [0] = 0, 0, 0, 0, 0 },
      taken = { [0] = 0, 0, 0, 0, 0 },
      dry = { [0] = false, false, false, false, false },
      kept = { [0] = false, false, false, false, false },
      picked = false,
      qlim = qlim,
    }
    QS[q] = s
    for i = 0, 4 do load_head(q, s, i) end
    return s
  end

  load_head = function(q, s, i)
    local b = s.buf[i]
    if not b or s.pos[i] > #b then
      if s.dry[i] or not allowed[i] then
        s.heads[i] = false
        return
      end
      local chunk = math.max(started_want + prefetch - n, 1)
      local from = s.taken[i]
      b = redis.call("LRANGE", lane_key(q, i), itos(from), itos(from + chunk - 1))
      s.buf[i], s.pos[i], s.dry[i] = b, 1, #b < chunk
      if #b == 0 then
        s.heads[i] = false
        return
      end
    end
    local id = b[s.pos[i]]
    local j = read_lease_fields(id)
    local head = s.heads[i]
    if head then -- reused: no reader keeps a head past the next load of its lane
      head.since, head.id, head.job = time_num(j[5] or j[4]), id, j
    else
      s.heads[i] = { since = time_num(j[5] or j[4]), id = id, job = j }
    end
  end

  local UPPER_ONLY = { [2] = false, [3] = false, [4] = false }

  -- Whether queue q (k-th named) may have jobs waiting in an upper lane (0 or 1) that this call may
  -- take: asked of a queue not opened yet once the lower-lane limit is reached, where opening it
  -- (its configuration, five lane heads) costs far more than this one EXISTS. A node serving
  -- many queues would otherwise open every ready queue at each call.
  local function may_have_upper(k, q)
    if is_ready[k] ~= 1 and not READY[q] then return false end
    if allowed[0] and allowed[1] then
      return redis.call("EXISTS", lane_key(q, 0), lane_key(q, 1)) > 0
    end
    for i = 0, 1 do
      if allowed[i] and redis.call("EXISTS", lane_key(q, i)) > 0 then return true end
    end
    return false
  end

  -- Leases job id (queue q, lane li; j: its LEASE_FIELDS values) as the n-th job of the call,
  -- started or prefetched, counting it against its limit keys.
  local function take(q, li, id, j, started)
    local attempt = j[3] and itos(tonumber(j[3]) + 1) or "1"
    local token = token_base .. "." .. itos(n)
    local lt = itos(li)
    local counted = j[13] and limit_take(limit_state(j[13], limit_config(j[1])))
    local s = QS[q]
    if s.qlim then limit_take(s.qlim) end
    if started then
      if counted then
        lease(id, worker, token, deadline, "a", attempt, "lc", "1")
      else
        lease(id, worker, token, deadline, "a", attempt)
      end
      job_started(id, j[11], j[12])
      local since = time_num(j[5] or j[4])
      event("active", id, j[1], q, lt, attempt, worker, fmt(NOW - since))
    else
      if counted then
        lease(id, worker, token, deadline, "p", "1", "lc", "1")
      else
        lease(id, worker, token, deadline, "p", "1")
      end
      if pf_seq == nil then pf_seq = redis.call("INCRBY", P .. "pfseq", itos(prefetch)) - prefetch end
      pf_seq = pf_seq + 1
      redis.call("ZADD", pf_key(q, worker), fmt(pf_seq), id)
      pf_n = pf_n + 1
    end
    count(q, "a", lt, 1)
    frame_lease(out, id, q, lt, attempt, itos(n), j)
    n = n + 1
  end

  -- Leases picks from the queues in order until n reaches `upto`; `started` says which kind.
  local function pass(upto, started)
    for k, q in ipairs(queues) do
      if n >= upto then return end
      local s = false
      if QS[q] ~= nil or not (started and lower_limit and lower_taken >= lower_limit)
        or may_have_upper(k, q) then
        s = open_queue(k, q)
      end
      while s and n < upto do
        local view = s.heads
        if started and lower_limit and lower_taken >= lower_limit then
          UPPER_ONLY[0], UPPER_ONLY[1] = s.heads[0], s.heads[1]
          view = UPPER_ONLY
        end
        local li, aged = choose_lane(s.st, view, s.cfg, NOW)
        if li < 0 then break end
        if s.qlim and s.qlim.rate_left <= 0 then
          park_open(s.qlim) -- the queue's own window is full: look again when it opens
          break
        end
        local head = s.heads[li]
        local id, j = head.id, head.job
        if not started and (s.qlim or j[13]) then
          -- a limit counts starts, so its jobs are leased only to start: no prefetch past here
          s.heads[li] = false
          s.kept[li] = true
        else
          s.pos[li] = s.pos[li] + 1
          s.taken[li] = s.taken[li] + 1
          local blocked = limit_blocking(j[1], j[13])
          if blocked then
            park(q, li, id, j[1], blocked) -- held by a limit: set aside, the lane goes on
          else
            advance(s.st, s.cfg, li, aged)
            if started and li >= 2 then lower_taken = lower_taken + 1 end
            s.picked = true
            take(q, li, id, j, started)
          end
          load_head(q, s, li)
        end
      end
    end
  end

  pass(started_want, true)
  local started = n
  pass(started + prefetch, false)

  for _, q in ipairs(queues) do
    local s = QS[q]
    if s then
      local empty = A[16] == ""
      for i = 0, 4 do
        if s.taken[i] > 0 then redis.call("LTRIM", lane_key(q, i), itos(s.taken[i]), "-1") end
        if s.heads[i] or s.kept[i] then empty = false end
      end
      if empty then later("SREM", P .. "ready", q) end
      if s.picked then
        local st = s.st
        redis.call("HSET", qkey(q, "meta"), "vt", fmt(st.vt), "p0", fmt(st.pass[0]),
          "p1", fmt(st.pass[1]), "p2", fmt(st.pass[2]), "p3", fmt(st.pass[3]),
          "p4", fmt(st.pass[4]), "la", st.aged and "1" or "0")
      end
    end
  end
  if pf_n > 0 then pf_count(worker, pf_n) end
  return started, n, out, queues, lower_taken
end
